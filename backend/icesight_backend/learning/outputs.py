"""What a network's outputs mean: class probabilities, the training loss, metrics and calibration.

A two-class model has one output, the iceberg logit ``z_ice``: P(iceberg) = sigmoid(z_ice). A model
trained with clutter patches has a second output, the target logit ``z_target``:

    P(clutter) = sigmoid(-z_target),   P(iceberg | target) = sigmoid(z_ice)

and P(iceberg) = (1 - P(clutter)) P(iceberg | target). The factorisation keeps the ship/iceberg
output meaning the same for both kinds of model (the figure the ice chart, the Kaggle-style metrics
and the explanations use), while clutter patches teach the target output only: a false alarm in
sea ice does not have to look like a ship or an iceberg to be sent back as clutter.

Every place that turns outputs into probabilities, classes, losses or metrics uses this module.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from icesight_contract import ClassName

ICEBERG_OUTPUT, TARGET_OUTPUT = 0, 1
SHIP, ICEBERG, CLUTTER = (c.index for c in ClassName)

#: The served class is clutter when P(clutter) reaches this; otherwise ship/iceberg at P(iceberg | target) 0.5.
CLUTTER_THRESHOLD = 0.5
ICEBERG_THRESHOLD = 0.5


def n_outputs_for(labels: np.ndarray) -> int:
    """1 for ship/iceberg labels only, 2 when clutter patches are among them."""
    return 2 if np.any(labels == CLUTTER) else 1


def classes_of(n_outputs: int) -> list[str]:
    return [c.value for c in ClassName][: 2 if n_outputs == 1 else 3]


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -60.0, 60.0)))


def split_outputs(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Logits (..., ) or (..., 2) -> P(iceberg | target) and P(clutter) (None for two-class models)."""
    if logits.ndim and logits.shape[-1:] == (2,) and logits.ndim >= 2:
        return sigmoid(logits[..., ICEBERG_OUTPUT]), sigmoid(-logits[..., TARGET_OUTPUT])
    return sigmoid(logits), None


def iceberg_logit(outputs: torch.Tensor, n_outputs: int) -> torch.Tensor:
    """The ship/iceberg logit of a network's outputs (N,) or (N, 2) (dense maps: (N, 2, H, W))."""
    return outputs if n_outputs == 1 else outputs.select(1, ICEBERG_OUTPUT)


def target_logit(outputs: torch.Tensor) -> torch.Tensor:
    return outputs.select(1, TARGET_OUTPUT)


def iceberg_presence(outputs: torch.Tensor, n_outputs: int, dim: int = 0) -> torch.Tensor:
    """P(iceberg) = P(target) P(iceberg | target), outputs along ``dim`` (two-class: P(iceberg)): the
    value of a probability map, near 0 over open water, sea ice, ships and ambiguities alike."""
    if n_outputs == 1:
        return torch.sigmoid(outputs)
    return torch.sigmoid(outputs.select(dim, TARGET_OUTPUT)) * torch.sigmoid(outputs.select(dim, ICEBERG_OUTPUT))


def served_classes(iceberg: np.ndarray, clutter: np.ndarray | None) -> np.ndarray:
    """Class index of each patch from its served probabilities."""
    classes = np.where(iceberg >= ICEBERG_THRESHOLD, ICEBERG, SHIP)
    if clutter is not None:
        classes = np.where(clutter >= CLUTTER_THRESHOLD, CLUTTER, classes)
    return classes


class ClassLoss(nn.Module):
    """Binary cross-entropy of the iceberg output on the target patches, plus (two outputs) that of
    the target output on all patches."""

    def __init__(self) -> None:
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss()

    def forward(self, outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if outputs.dim() == 1:
            return self.bce(outputs, labels)
        is_target = labels != CLUTTER
        loss = self.bce(target_logit(outputs), is_target.to(outputs.dtype))
        if bool(is_target.any()):
            loss = loss + self.bce(outputs[is_target, ICEBERG_OUTPUT], labels[is_target])
        return loss


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) identity; ties get average ranks."""
    from scipy.stats import rankdata

    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if not (n_pos and n_neg):
        return float("nan")
    ranks = rankdata(p)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> float:
    """Mean |observed rate - predicted probability| over probability bins, weighted by count."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        members = index == b
        if members.any():
            error += members.mean() * abs(labels[members].mean() - probabilities[members].mean())
    return float(error)


def reliability(labels: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Per probability bin: patches, mean predicted probability and observed rate."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, n_bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int((index == b).sum()),
             "predicted": float(probabilities[index == b].mean()) if (index == b).any() else None,
             "observed": float(labels[index == b].mean()) if (index == b).any() else None} for b in range(n_bins)]


def binary_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """Log loss, accuracy, ROC AUC, expected calibration error (10 equal-width bins) and the
    confusion matrix (rows truth ship/iceberg) of iceberg probabilities against 0/1 labels."""
    y = labels.astype(np.float64)
    p = probabilities.astype(np.float64)
    predicted = (p >= ICEBERG_THRESHOLD).astype(int)
    return {
        "log_loss": _log_loss(y, p), "accuracy": float(np.mean(predicted == y)), "roc_auc": roc_auc(y, p),
        "ece": expected_calibration_error(y, np.clip(p, 0, 1)),
        "confusion": [[int(np.sum((y == t) & (predicted == q))) for q in (0, 1)] for t in (0, 1)],
    }


def class_metrics(labels: np.ndarray, iceberg: np.ndarray, clutter: np.ndarray | None) -> dict:
    """Metrics of served probabilities against class labels.

    ``log_loss``, ``accuracy``, ``roc_auc``, ``ece`` and ``confusion`` are the ship/iceberg decision
    on the target patches (comparable between two- and three-class models). With a clutter output:
    ``clutter_auc`` (target vs clutter), ``class_accuracy`` and ``class_log_loss`` over all three
    classes, and the 3 x 3 ``class_confusion`` (rows truth ship/iceberg/clutter); ``selection_loss``
    is what early stopping minimises (the ship/iceberg log loss plus the clutter one).
    """
    targets = labels != CLUTTER
    metrics = binary_metrics(labels[targets], iceberg[targets])
    metrics["selection_loss"] = metrics["log_loss"]
    if clutter is None:
        return metrics
    is_clutter = (~targets).astype(np.float64)
    predicted = served_classes(iceberg, clutter)
    p_true = np.where(labels == CLUTTER, clutter,
                      (1 - clutter) * np.where(labels == ICEBERG, iceberg, 1 - iceberg))
    metrics |= {
        "clutter_auc": roc_auc(is_clutter, clutter),
        "class_accuracy": float(np.mean(predicted == labels)),
        "class_log_loss": float(-np.mean(np.log(np.clip(p_true, 1e-7, 1.0)))),
        "class_confusion": [[int(np.sum((labels == t) & (predicted == q))) for q in range(3)] for t in range(3)],
    }
    metrics["selection_loss"] += _log_loss(is_clutter, clutter)
    return metrics
