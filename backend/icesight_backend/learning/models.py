"""Ship/iceberg CNNs. Both take three 75 x 75 channels (HH, HV, their mean in dB, normalised) and the
normalised incidence angle as a separate input, and return one logit (iceberg)."""

from __future__ import annotations

import torch
from torch import nn

from icesight_contract import PATCH_SIZE_PX, ModelArchitecture

N_CHANNELS = 3


class LeNetLike(nn.Module):
    """A LeNet-5-like network: small and fast enough to train in a minute on two CPU cores."""

    def __init__(self, dropout: float = 0.2):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(N_CHANNELS, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),  # 71 -> 35
            nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # 31 -> 15
            nn.Conv2d(32, 48, 3), nn.BatchNorm2d(48), nn.ReLU(), nn.MaxPool2d(2),  # 13 -> 6
        )
        n_flat = 48 * 6 * 6
        self.head = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(n_flat + 1, 120), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 1),
        )

    def forward(self, image: torch.Tensor, inc_angle: torch.Tensor) -> torch.Tensor:
        x = self.features(image).flatten(1)
        return self.head(torch.cat([x, inc_angle.view(-1, 1)], dim=1)).squeeze(1)


class ReferenceCNN(nn.Module):
    """The ExtremeEarth reference: 4 conv blocks 64-128-128-64 (3x3, max-pool, dropout 0.2),
    dense 512-256, one output."""

    def __init__(self, dropout: float = 0.2, kernel_size: int = 3, pool_size: int = 2):
        super().__init__()
        blocks = []
        in_ch = N_CHANNELS
        side = PATCH_SIZE_PX
        for out_ch in (64, 128, 128, 64):
            blocks += [
                nn.Conv2d(in_ch, out_ch, kernel_size, padding=kernel_size // 2), nn.ReLU(),
                nn.MaxPool2d(pool_size), nn.Dropout(dropout),
            ]
            in_ch = out_ch
            side = side // pool_size
        self.features = nn.Sequential(*blocks)
        self.head = nn.Sequential(
            nn.Linear(64 * side * side + 1, 512), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(512, 256), nn.ReLU(), nn.Dropout(dropout), nn.Linear(256, 1),
        )

    def forward(self, image: torch.Tensor, inc_angle: torch.Tensor) -> torch.Tensor:
        x = self.features(image).flatten(1)
        return self.head(torch.cat([x, inc_angle.view(-1, 1)], dim=1)).squeeze(1)


def build_model(architecture: ModelArchitecture) -> nn.Module:
    if architecture is ModelArchitecture.LENET:
        return LeNetLike()
    if architecture is ModelArchitecture.REFERENCE_CNN:
        return ReferenceCNN()
    raise ValueError(f"unknown architecture {architecture!r}")
