"""The 53 convolutions of ResNet-50 at 224 x 224, as a table of shapes.

The network is torchvision's ResNet-50 ("v1.5": in a bottleneck block that
halves the image, the 3x3 convolution has the stride, not the first 1x1).
Each row is one convolution shape and how many times the network uses it.
Later chapters use the table to estimate and measure the whole network.

Run `python snippets/resnet50_layers.py` to print the table and the totals.
"""

from typing import NamedTuple

from shapes import output_size


class Layer(NamedTuple):
    name: str
    H: int  # input height (= width: every ResNet-50 image is square)
    C: int  # input channels
    K: int  # output channels
    R: int  # kernel height (= width)
    stride: int
    padding: int
    count: int  # how many convolutions of the network have this shape

    @property
    def P(self) -> int:
        """Output height (= width)."""
        return output_size(self.H, self.R, self.stride, self.padding)

    @property
    def macs(self) -> int:
        """Multiply-adds of one such convolution, batch 1."""
        return self.P * self.P * self.K * self.R * self.R * self.C

    @property
    def dot_calls(self) -> int:
        """Channel-vector np.dot calls of one such convolution (conv_dot)."""
        return self.P * self.P * self.K * self.R * self.R


def bottleneck_stage(
    name: str, H: int, C_in: int, width: int, blocks: int, stride: int
) -> list[Layer]:
    """The convolutions of one stage: `blocks` bottlenecks 1x1 -> 3x3 -> 1x1."""
    out = 4 * width
    P = H // stride
    return [
        # first block: reduce, 3x3 with the stride, expand, projection shortcut
        Layer(f"{name} 1x1 reduce (first)", H, C_in, width, 1, 1, 0, 1),
        Layer(f"{name} 3x3 (first)", H, width, width, 3, stride, 1, 1),
        Layer(f"{name} 1x1 expand", P, width, out, 1, 1, 0, blocks),
        Layer(f"{name} 1x1 shortcut", H, C_in, out, 1, stride, 0, 1),
        # the other blocks
        Layer(f"{name} 1x1 reduce", P, out, width, 1, 1, 0, blocks - 1),
        Layer(f"{name} 3x3", P, width, width, 3, 1, 1, blocks - 1),
    ]


def layers() -> list[Layer]:
    """Every convolution shape of ResNet-50 for a 224 x 224 x 3 image."""
    return [
        Layer("conv1 7x7", 224, 3, 64, 7, 2, 3, 1),
        *bottleneck_stage("conv2", 56, 64, 64, 3, 1),
        *bottleneck_stage("conv3", 56, 256, 128, 4, 2),
        *bottleneck_stage("conv4", 28, 512, 256, 6, 2),
        *bottleneck_stage("conv5", 14, 1024, 512, 3, 2),
    ]


def main() -> None:
    table = layers()
    print(f"{'layer':28} {'H':>4} {'C':>5} {'K':>5} {'R':>2} {'u':>2}"
          f" {'P':>4} {'count':>5} {'MMACs':>8}")
    for layer in table:
        print(
            f"{layer.name:28} {layer.H:4} {layer.C:5} {layer.K:5} {layer.R:2}"
            f" {layer.stride:2} {layer.P:4} {layer.count:5}"
            f" {layer.macs * layer.count / 1e6:8.1f}"
        )
    convolutions = sum(layer.count for layer in table)
    macs = sum(layer.macs * layer.count for layer in table)
    calls = sum(layer.dot_calls * layer.count for layer in table)
    print(f"{convolutions} convolutions, {macs / 1e9:.2f} GMACs,"
          f" {calls / 1e6:.1f} million channel dots")


if __name__ == "__main__":
    main()
