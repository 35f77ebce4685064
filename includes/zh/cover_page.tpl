{#- The Chinese edition's PDF cover (mkdocs.zh.yml): the plugin's own cover, in Chinese. -#}
<div>
    <h1>{{ config.site_name }}</h1>
</div>

<table>
    <tr>
        <td>简介</td>
        <td>{{ config.site_description }}</td>
    </tr>
    <tr>
        <td>代码仓库</td>
        <td><a href="{{ config.repo_url }}">{{ config.repo_url }}</a></td>
    </tr>
    <tr>
        <td>版权</td>
        <td>{{ config.copyright }}</td>
    </tr>
</table>
