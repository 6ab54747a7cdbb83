"""Ship/iceberg CNNs. Both take the patch channels (by default HH dB, HV dB and their mean,
normalised) and the normalised incidence angle as a separate input, and return one logit (iceberg)
or, trained with clutter patches, two (iceberg given a target, and target; see :mod:`.outputs`).

A :class:`ModelSpec` says everything needed to rebuild a network: architecture, hyper-parameters
and which components are present, so ablation trials (a channel, the incidence angle, a
convolution block or the dense layers left out) are built by the same code as full models.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass

import torch
from torch import nn

from icesight_contract import (
    ARCHITECTURE_FILTERS,
    ARCHITECTURE_KERNEL,
    PATCH_SIZE_PX,
    HyperParameters,
    ModelArchitecture,
    block_kernels,
    feature_map_side,
)

#: Dense layer widths of each architecture's head.
HEAD_UNITS = {ModelArchitecture.LENET: (120, 84), ModelArchitecture.REFERENCE_CNN: (512, 256)}


@dataclass
class ModelSpec:
    architecture: ModelArchitecture = ModelArchitecture.LENET
    dropout: float = 0.2
    kernel_size: int | None = None
    pool_size: int = 2
    filters: list[int] | None = None
    n_channels: int = 3
    use_inc_angle: bool = True
    conv_blocks: list[int] | None = None  # 0-based blocks kept; None: all
    dense: bool = True
    n_outputs: int = 1  # 1: ship/iceberg; 2: also target vs clutter

    @classmethod
    def of(cls, architecture: ModelArchitecture, hyper: HyperParameters | None = None, **components) -> ModelSpec:
        hyper = hyper or HyperParameters()
        return cls(architecture, hyper.dropout, hyper.kernel_size, hyper.pool_size,
                   list(hyper.filters) if hyper.filters else None, **components)

    @property
    def kernel(self) -> int:
        return self.kernel_size if self.kernel_size is not None else ARCHITECTURE_KERNEL[self.architecture]

    @property
    def block_filters(self) -> list[int]:
        return list(self.filters or ARCHITECTURE_FILTERS[self.architecture])

    def kept_blocks(self) -> list[int]:
        n = len(ARCHITECTURE_FILTERS[self.architecture])
        return list(range(n)) if self.conv_blocks is None else sorted(self.conv_blocks)

    def to_dict(self) -> dict:
        return asdict(self) | {"architecture": self.architecture.value}

    @classmethod
    def from_dict(cls, data: dict) -> ModelSpec:
        # A kernel size of 0 was once taken for "not given" and stored so: those models were built with
        # the architecture's kernel, and load with it.
        kernel = data.get("kernel_size") or None
        return cls(**(data | {"architecture": ModelArchitecture(data["architecture"]), "kernel_size": kernel}))


class ConvNet(nn.Module):
    """Convolution blocks (conv, [batch norm], ReLU, max-pool, [dropout]) then a dense head that also
    sees the incidence angle.

    LeNet-like: 'valid' convolutions 16-32-48 with batch norm, head 120-84 (small enough to train in
    a minute on two CPU cores). Reference (ExtremeEarth): 'same' 3 x 3 convolutions 64-128-128-64,
    max-pool and dropout 0.2 per block, head 512-256.
    """

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.spec = spec
        lenet = spec.architecture is ModelArchitecture.LENET
        kernels = block_kernels(spec.architecture, spec.kernel)
        kept = spec.kept_blocks()
        layers: list[nn.Module] = []
        in_ch = spec.n_channels
        for index, (out_ch, kernel) in enumerate(zip(spec.block_filters, kernels, strict=True)):
            if index not in kept:
                continue
            layers.append(nn.Conv2d(in_ch, out_ch, kernel, padding=0 if lenet else kernel // 2))
            if lenet:
                layers += [nn.BatchNorm2d(out_ch), nn.ReLU(), nn.MaxPool2d(spec.pool_size)]
            else:
                layers += [nn.ReLU(), nn.MaxPool2d(spec.pool_size), nn.Dropout(spec.dropout)]
            in_ch = out_ch
        self.features = nn.Sequential(*layers)
        side = feature_map_side(spec.architecture, spec.kernel, spec.pool_size, kept)
        if side < 1:
            raise ValueError(f"{spec} leaves no pixels of a {PATCH_SIZE_PX} px patch")
        n_flat = in_ch * side * side + (1 if spec.use_inc_angle else 0)
        head: list[nn.Module] = []
        if spec.dense:
            width = n_flat
            for units in HEAD_UNITS[spec.architecture]:
                if lenet:
                    head += [nn.Dropout(spec.dropout), nn.Linear(width, units), nn.ReLU()]
                else:
                    head += [nn.Linear(width, units), nn.ReLU(), nn.Dropout(spec.dropout)]
                width = units
            head.append(nn.Linear(width, spec.n_outputs))
        else:
            head = [nn.Dropout(spec.dropout), nn.Linear(n_flat, spec.n_outputs)]
        self.head = nn.Sequential(*head)

    def forward(self, image: torch.Tensor, inc_angle: torch.Tensor) -> torch.Tensor:
        x = self.features(image).flatten(1)
        if self.spec.use_inc_angle:
            x = torch.cat([x, inc_angle.view(-1, 1)], dim=1)
        return self.head(x).squeeze(1)


def build_model(spec: ModelSpec | ModelArchitecture) -> ConvNet:
    if isinstance(spec, ModelArchitecture):
        spec = ModelSpec(spec)
    return ConvNet(spec)


def count_parameters(network: nn.Module) -> int:
    return sum(p.numel() for p in network.parameters())



def fold_batch_norm(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> nn.Conv2d:
    """One convolution equal to ``norm(conv(x))`` in eval mode (saves a pass over the largest maps)."""
    scale = norm.weight.detach() / torch.sqrt(norm.running_var + norm.eps)
    fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                      conv.dilation, conv.groups, bias=True)
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(norm.running_mean)
    with torch.no_grad():
        fused.weight.copy_(conv.weight.detach() * scale[:, None, None, None])
        fused.bias.copy_((bias - norm.running_mean) * scale + norm.bias.detach())
    return fused


def inference_layers(layers: nn.Sequential) -> list[nn.Module]:
    """Convolution blocks rewritten for eval mode into a network with the same outputs (to float
    round-off) and less work: batch norm folded into the convolution before it, dropout removed,
    and each ReLU moved after the max-pool that follows it (both are monotone, so they commute, and
    the ReLU then touches a quarter of the values). A copy; ``layers`` is left as it is."""
    source = list(copy.deepcopy(layers))
    out: list[nn.Module] = []
    index = 0
    while index < len(source):
        layer = source[index]
        following = source[index + 1] if index + 1 < len(source) else None
        if isinstance(layer, nn.Conv2d) and isinstance(following, nn.BatchNorm2d):
            out.append(fold_batch_norm(layer, following))
            index += 1
        elif isinstance(layer, nn.ReLU) and isinstance(following, nn.MaxPool2d):
            out += [following, nn.ReLU(inplace=True)]
            index += 1
        elif isinstance(layer, nn.ReLU):
            out.append(nn.ReLU(inplace=True))
        elif not isinstance(layer, nn.Dropout):
            out.append(layer)
        index += 1
    return out


def inference_network(network: ConvNet) -> ConvNet:
    """An eval-mode copy of ``network`` for classification with the same outputs and about half
    the work (see :func:`inference_layers`); not for training."""
    fast = copy.deepcopy(network)
    fast.features = nn.Sequential(*inference_layers(fast.features))
    fast.head = nn.Sequential(*[layer for layer in fast.head if not isinstance(layer, nn.Dropout)])
    return fast.eval()
