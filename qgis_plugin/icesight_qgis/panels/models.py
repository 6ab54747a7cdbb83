"""Models panel: the backend's model registry with its metrics and lineage and the production
flag; the model classification, explanation and scene maps use (``model_id()``); two models
compared side by side; *Set as production*."""

from __future__ import annotations

from qgis.PyQt.QtCore import QT_TRANSLATE_NOOP, Qt, pyqtSignal
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import settings
from ..tasks import JobTask
from .base import Panel, narrow_combo, narrow_form, plain_label

#: The validation metrics of a model record, as the registry and /models/compare name them.
METRICS = (("val_log_loss", QT_TRANSLATE_NOOP("@default", "Log loss")),
           ("val_accuracy", QT_TRANSLATE_NOOP("@default", "Accuracy")),
           ("val_roc_auc", QT_TRANSLATE_NOOP("@default", "ROC AUC")), ("val_ece", QT_TRANSLATE_NOOP("@default", "ECE")))
#: The registry table's short headers of :data:`METRICS` (the full names are their tooltips):
#: the model ids need the room.
METRIC_HEADERS = {"val_log_loss": QT_TRANSLATE_NOOP("@default", "LL"), "val_accuracy": QT_TRANSLATE_NOOP("@default", "Acc"),
                  "val_roc_auc": QT_TRANSLATE_NOOP("@default", "AUC"), "val_ece": QT_TRANSLATE_NOOP("@default", "ECE")}
PRODUCTION_MARK = "\u2605"
#: The registry table's columns before the metrics.
MODEL_COLUMN, PRODUCTION_COLUMN, DRIFT_COLUMN = 0, 1, 2


def format_metric(value) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def lineage(record: dict) -> str:
    """Where a model came from, in one line: training dataset (version, fold) and feature group."""
    parts = []
    dataset = record.get("training_dataset")
    if dataset:
        parts.append(f"training dataset {dataset.get('name')} v{dataset.get('version')}"
                     + (f" fold {dataset['fold']}" if dataset.get("fold") is not None else ""))
    group = record.get("feature_group")
    if group:
        parts.append(f"feature group {group.get('group')} v{group.get('version')}")
    return ", ".join(parts) or "simulated or inline training data"


def test_summary(record: dict) -> str:
    test = record.get("test_metrics") or {}
    if not test:
        return "no held-out test part"
    shown = [f"{name} {format_metric(test.get(key))}" for key, name in
             (("accuracy", "accuracy"), ("log_loss", "log loss"), ("roc_auc", "ROC AUC"), ("ece", "ECE"))
             if key in test]
    return "test: " + (", ".join(shown) or ", ".join(f"{k} {format_metric(v)}" for k, v in test.items()))


def clutter_summary(metrics: dict) -> str:
    """The clutter figures of a model trained with target-free patches; empty for a ship/iceberg model."""
    if metrics.get("val_clutter_auc") is None:
        return ""
    return (f"clutter (no target): AUC {format_metric(metrics['val_clutter_auc'])}, "
            f"3-class accuracy {format_metric(metrics.get('val_class_accuracy'))}")


class ModelsPanel(Panel):
    task_attributes = ("task", "compare_task", "production_task")

    #: The model jobs should use changed: its id, or None for the backend's production model.
    model_chosen = pyqtSignal(object)

    def __init__(self, iface, parent=None):
        super().__init__(iface, parent)
        self.records: list[dict] = []
        self.task: JobTask | None = None
        self.compare_task: JobTask | None = None
        self.production_task: JobTask | None = None
        self.comparison: dict | None = None

        self.model_combo = narrow_combo(QComboBox())
        self.model_combo.addItem(self.tr("Production model (backend's choice)"), None)
        self.model_combo.currentIndexChanged.connect(lambda _i: self.model_chosen.emit(self.model_id()))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        chooser = narrow_form()
        chooser.addRow(self.tr("Model for jobs"), self.model_combo)

        self.table = QTableWidget(0, 3 + len(METRICS))
        headers = [(self.tr("Model"), self.tr("Model id (the full id is also in the details below)")),
                   (PRODUCTION_MARK, self.tr("Production model")),
                   (self.tr("Inputs"), self.tr("Whether recent inputs drift from the model's training data"))]
        headers += [(self.tr(METRIC_HEADERS[key]), self.tr("Validation {metric}").format(metric=self.tr(name)))
                    for key, name in METRICS]
        for column, (text, tip) in enumerate(headers):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, item)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # The ids take the room they need (a narrow dock scrolls the metrics sideways); should a
        # column still be too narrow, the middle of an id goes, never its distinguishing end.
        self.table.setTextElideMode(Qt.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.details_label = plain_label()
        self.use_button = QPushButton(self.tr("Use for jobs"))
        self.use_button.clicked.connect(self._use_selected)
        self.production_button = QPushButton(self.tr("Set as production"))
        self.production_button.setToolTip(self.tr("The model the backend uses when a job names none"))
        self.production_button.clicked.connect(self.set_selected_production)
        actions = QVBoxLayout()
        actions.addWidget(self.use_button)
        actions.addWidget(self.production_button)

        self.compare_a = narrow_combo(QComboBox())
        self.compare_b = narrow_combo(QComboBox())
        self.compare_button = QPushButton(self.tr("Compare"))
        self.compare_button.clicked.connect(self.compare_chosen)
        self.compare_table = QTableWidget(0, 0)
        self.compare_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.compare_table.setMaximumHeight(170)
        self.compare_table.hide()  # until there is a comparison to show
        self.compare_label = plain_label()
        compare_form = narrow_form()
        compare_form.addRow(self.tr("Compare"), self.compare_a)
        compare_form.addRow(self.tr("with"), self.compare_b)
        self.status_label = plain_label()

        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details_label)
        layout.addLayout(actions)
        layout.addLayout(compare_form)
        layout.addWidget(self.compare_button)
        layout.addWidget(self.compare_table)
        layout.addWidget(self.compare_label)
        layout.addWidget(self.status_label)

    # -- the model jobs use -------------------------------------------------------------------------

    def model_id(self) -> str | None:
        return self.model_combo.currentData()

    def choose_model(self, model_id: str | None) -> None:
        """Use ``model_id`` for jobs (None: the production model); listed even before a refresh."""
        index = self.model_combo.findData(model_id)
        if index < 0:
            self.model_combo.addItem(model_id, model_id)
            index = self.model_combo.count() - 1
        self.model_combo.setCurrentIndex(index)

    def _use_selected(self) -> None:
        record = self.selected_record()
        if record is not None:
            self.choose_model(record["model_id"])

    # -- the registry -------------------------------------------------------------------------------

    def refresh(self) -> JobTask | None:
        if self.task is not None:
            return self.task
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: list the models"),
                       lambda on_progress, is_cancelled: client.models_with_drift(), self._on_listed, client)
        self.task = task
        self.status_label.setText(self.tr("Reading the model registry..."))
        return self.run_task(task)

    def _on_listed(self, records: list[dict] | None, error: str | None) -> None:
        self.task = None
        if records is None:
            self.status_label.setText(self.tr("The models could not be listed: {error}").format(error=error))
            self.tell(self.tr("The models could not be listed: {error}").format(error=error), "error")
            return
        self.records = records
        chosen = self.model_id()
        selected = self.selected_record()
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            drift_text, drift_tip = self.drift_text(record.get("drift") or {})
            cells = [record["model_id"], PRODUCTION_MARK if record.get("production") else "", drift_text]
            cells += [format_metric((record.get("metrics") or {}).get(key)) for key, _name in METRICS]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(drift_tip if column == DRIFT_COLUMN else
                                f"{record['model_id']} ({record.get('architecture', '?')}): "
                                f"{lineage(record)}; {test_summary(record)}")
                if column == DRIFT_COLUMN and (record.get("drift") or {}).get("status") == "drift":
                    item.setForeground(QColor("#c0392b"))
                self.table.setItem(row, column, item)
        self.model_combo.blockSignals(True)
        while self.model_combo.count() > 1:
            self.model_combo.removeItem(1)
        for record in records:
            label = record["model_id"] + (f" {PRODUCTION_MARK}" if record.get("production") else "")
            self.model_combo.addItem(label, record["model_id"])
        self.model_combo.blockSignals(False)
        self.choose_model(chosen)
        self._fill_compare_choices(records)
        if selected is not None:
            self.select_model(selected["model_id"])
        self.status_label.setText(self.tr("{n} model(s) registered").format(n=len(records)))

    def _fill_compare_choices(self, records: list[dict]) -> None:
        """Both lists hold every model; the analyst's choices are kept while their models exist.
        By default the production model (else the newest) is compared with the newest other one,
        never a model with itself."""
        ids = [record["model_id"] for record in records]  # the registry lists the newest first
        production = next((record["model_id"] for record in records if record.get("production")), None)
        kept_first, kept_second = self.compare_a.currentData(), self.compare_b.currentData()
        for combo in (self.compare_a, self.compare_b):
            combo.blockSignals(True)
            combo.clear()
            for model_id in ids:
                combo.addItem(model_id, model_id)
            combo.blockSignals(False)
        first = kept_first if kept_first in ids else production or (ids[0] if ids else None)
        others = [model_id for model_id in ids if model_id != first]
        second = kept_second if kept_second in others else (others[0] if others else None)
        self.compare_a.setCurrentIndex(self.compare_a.findData(first) if first else -1)
        self.compare_b.setCurrentIndex(self.compare_b.findData(second) if second else -1)
        self.compare_button.setEnabled(second is not None)
        if second is None:
            self.compare_label.setText(self.tr("Only one model is registered: train or retrain another one to "
                                               "compare them."))
        elif self.comparison is None:
            self.compare_label.setText("")

    def drift_text(self, drift: dict) -> tuple[str, str]:
        """The Inputs cell: whether the model's recent inputs still look like its training data."""
        status = drift.get("status", "unused")
        if status == "drift":
            features = drift.get("features", {})
            names = "; ".join(features.get(name, {}).get("label", name) for name in drift.get("drifted", []))
            return (self.tr("drift"), self.tr("Recent inputs differ from this model's training data in: {names} "
                                               "(population stability index over {limit:g}); check the scenes' "
                                               "calibration and product type (looks, resolution), or retrain on "
                                               "such data").format(names=names, limit=drift.get("threshold_psi", 0.25)))
        if status == "ok":
            return self.tr("ok"), self.tr("Recent inputs look like this model's training data")
        if status == "too_few":
            return "", self.tr("Too few predictions yet to tell")
        return "", self.tr("No monitoring figures for this model yet")

    def select_model(self, model_id: str) -> bool:
        for row, record in enumerate(self.records):
            if record["model_id"] == model_id:
                self.table.selectRow(row)
                return True
        return False

    def selected_record(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()]

    def _show_details(self) -> None:
        record = self.selected_record()
        if record is None:
            self.details_label.setText("")
            return
        production = self.tr("production model") if record.get("production") else self.tr("not production")
        metrics = record.get("metrics") or {}
        validation = ", ".join(f"{self.tr(name)} {format_metric(metrics.get(key))}" for key, name in METRICS)
        clutter = clutter_summary(metrics)
        validation_label = self.tr("validation:")
        self.details_label.setText(
            f"{record['model_id']} ({record.get('architecture', '?')}, {production})\n"
            f"{lineage(record)}\n{validation_label} {validation}\n" + (f"{clutter}\n" if clutter else "") + test_summary(record))

    # -- production -------------------------------------------------------------------------------

    def set_selected_production(self) -> JobTask | None:
        record = self.selected_record()
        if record is None:
            self.tell(self.tr("Choose a model in the list first."), "warning")
            return None
        return self.set_production(record["model_id"])

    def set_production(self, model_id: str) -> JobTask | None:
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: make {model} the production model").format(model=model_id),
                       lambda on_progress, is_cancelled: client.set_production(model_id),
                       self._on_production_set, client)
        self.production_task = task
        return self.run_task(task)

    def _on_production_set(self, record: dict | None, error: str | None) -> None:
        self.production_task = None
        if record is None:
            self.tell(self.tr("The production model could not be changed: {error}").format(error=error), "error")
            return
        self.tell(self.tr("{model} is now the production model.").format(model=record["model_id"]), "success")
        self.refresh()

    # -- compare ----------------------------------------------------------------------------------

    def compare_chosen(self) -> JobTask | None:
        first, second = self.compare_a.currentData(), self.compare_b.currentData()
        if not first or not second or first == second:
            self.tell(self.tr("Choose two different models to compare."), "warning")
            return None
        return self.compare(first, second)

    def compare(self, first: str, second: str) -> JobTask | None:
        client = settings.make_client()
        task = JobTask(self.tr("IceSight: compare {a} and {b}").format(a=first, b=second),
                       lambda on_progress, is_cancelled: client.compare_models([first, second]),
                       self._on_compared, client)
        self.compare_task = task
        return self.run_task(task)

    def _on_compared(self, comparison: dict | None, error: str | None) -> None:
        self.compare_task = None
        if comparison is None:
            self.tell(self.tr("The models could not be compared: {error}").format(error=error), "error")
            return
        self.comparison = comparison
        self.compare_table.show()
        models = comparison["models"]
        self.compare_table.setRowCount(len(METRICS))
        self.compare_table.setColumnCount(len(models) + 1)
        self.compare_table.setHorizontalHeaderLabels([m["model_id"] for m in models] + [self.tr("Difference")])
        self.compare_table.setVerticalHeaderLabels([self.tr(name) for _key, name in METRICS])
        for row, (key, _name) in enumerate(METRICS):
            for column, model in enumerate(models):
                self.compare_table.setItem(row, column, QTableWidgetItem(format_metric(model["metrics"].get(key))))
            difference = models[-1]["difference_to_first"].get(key)
            text = f"{difference:+.3f}" if isinstance(difference, (int, float)) else "-"
            self.compare_table.setItem(row, len(models), QTableWidgetItem(text))
        self.compare_label.setText(
            self.tr("Trained on the same dataset: validation metrics compare fairly.")
            if comparison.get("same_training_dataset")
            else self.tr("Different training data: the validation metrics were measured on different sets."))

