"""The plugin in the analyst's language, inside a headless QGIS: the translation for QGIS's user locale
is installed when the plugin starts and removed when it unloads, an unknown locale leaves the plugin in
English, the zip carries the compiled translations, and the catalogue's contexts are the ones tr()
looks strings up under at run time."""

from __future__ import annotations

import ast
import string
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingException, QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QWidget

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "qgis_plugin" / "icesight_qgis" / "i18n"
LOCALE_SETTING = "locale/userLocale"

ENGLISH_PAGES = ["Analyse targets", "Review", "What-if (model analysis)", "Ice chart", "Scenes", "Upload a scene",
                 "Models", "Experiments", "Jobs", "Connect"]
GERMAN_PAGES = ["Ziele analysieren", "Überprüfen", "Was-wäre-wenn (Modellanalyse)", "Eiskarte", "Szenen",
                "Szene hochladen", "Modelle", "Experimente", "Aufträge", "Verbinden"]


def catalogue(path: Path) -> dict[str, dict[str, str | None]]:
    """{context: {source: finished translation or None}} of a .ts file."""
    contexts: dict[str, dict[str, str | None]] = {}
    for context in ET.parse(path).getroot().iter("context"):
        messages = contexts.setdefault(context.findtext("name"), {})
        for message in context.iter("message"):
            translation = message.find("translation")
            finished = translation is not None and translation.get("type") is None and translation.text
            messages[message.findtext("source")] = translation.text if finished else None
    return contexts


@pytest.fixture
def user_locale():
    """``user_locale(value)`` sets QGIS's user locale; the setting is restored afterwards."""
    settings = QgsSettings()
    had_value = settings.contains(LOCALE_SETTING)
    previous = settings.value(LOCALE_SETTING)
    yield lambda value: settings.setValue(LOCALE_SETTING, value)
    if had_value:
        settings.setValue(LOCALE_SETTING, previous)
    else:
        settings.remove(LOCALE_SETTING)


@pytest.fixture
def start_plugin(qgis_iface, installed_plugin):
    """``start_plugin()``: the plugin from the zip, started as QGIS starts it; unloaded afterwards."""
    started = []

    def start():
        plugin = installed_plugin.classFactory(qgis_iface)
        started.append(plugin)
        plugin.initGui()
        return plugin

    yield start
    for plugin in started:
        plugin.unload()  # a second unload does nothing


def _action_texts(plugin) -> dict[str, str]:
    return {action.objectName(): action.text() for action in plugin.toolbar.actions()}


def test_german_locale_shows_the_plugin_in_german_until_it_unloads(user_locale, start_plugin):
    user_locale("de_DE")
    plugin = start_plugin()

    assert plugin.dock.page_titles() == GERMAN_PAGES
    assert plugin.dock.page_combo.toolTip() == "IceSight-Seite"
    actions = _action_texts(plugin)
    assert actions["IceSightPanelAction"] == "IceSight-Bedienfeld"
    assert actions["IceSightClassifyAction"] == "Ausgewählte Ausschnitte klassifizieren"
    assert actions["IceSightJobsAction"] == "Aufträge"
    buttons = {button.text() for button in plugin.dock.findChildren(QAbstractButton)}
    assert {"Speichern und Verbindung testen", "Überprüfung starten", "Katalog durchsuchen"} <= buttons
    # The Processing algorithms (not QObjects): a string of the algorithm's own class, and one of a
    # module function the algorithm hands its tr() to.
    registry = QgsApplication.processingRegistry()
    assert registry.algorithmById("icesight:map_scene").displayName() == "Szene kartieren (Eisberg-Wahrscheinlichkeit)"
    mode = registry.algorithmById("icesight:upload_scene").parameterDefinition("MODE")
    assert mode.description() == "Aufnahmemodus"
    assert mode.options()[0] == "aus der Datei"
    assert QCoreApplication.translate("IceSightDock", "Ice chart") == "Eiskarte"

    plugin.unload()
    assert plugin.translator is None
    assert QCoreApplication.translate("IceSightDock", "Ice chart") == "Ice chart"
    assert QCoreApplication.translate("IceSightPlugin", "IceSight panel") == "IceSight panel"
    assert QCoreApplication.translate("@default", "Acquisition mode") == "Acquisition mode"

    # Started again (a plugin reload): German again, and English again after its unload.
    again = start_plugin()
    assert again.dock.page_titles() == GERMAN_PAGES
    again.unload()
    assert QCoreApplication.translate("IceSightDock", "Ice chart") == "Ice chart"


@pytest.mark.parametrize("locale", ["xx_XX", "en_GB", ""])
def test_a_locale_without_translation_starts_the_plugin_in_english(user_locale, start_plugin, locale):
    user_locale(locale)
    plugin = start_plugin()
    assert plugin.translator is None
    assert plugin.dock.page_titles() == ENGLISH_PAGES
    assert _action_texts(plugin)["IceSightPanelAction"] == "IceSight panel"
    registry = QgsApplication.processingRegistry()
    assert registry.algorithmById("icesight:map_scene").displayName() == "Map scene (iceberg probability)"


def test_the_german_translation_covers_what_an_analyst_sees_first():
    german = catalogue(I18N / "icesight_de.ts")
    assert [german["IceSightDock"][page] for page in ENGLISH_PAGES] == GERMAN_PAGES
    assert all(german["IceSightPlugin"].values()), german["IceSightPlugin"]
    # Every translation keeps the {placeholders} of its source.
    for messages in german.values():
        for source, translation in messages.items():
            if translation is not None:
                assert sorted(_placeholders(translation)) == sorted(_placeholders(source)), (source, translation)


def _placeholders(text: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]


def test_the_zip_carries_every_compiled_translation(plugin_zip):
    names = set(zipfile.ZipFile(plugin_zip).namelist())
    languages = [ts.stem.removeprefix("icesight_") for ts in I18N.glob("icesight_*.ts")]
    assert "de" in languages
    for language in languages:
        assert f"icesight_qgis/i18n/icesight_{language}.qm" in names


def test_each_shipped_qm_is_its_translation_compiled(tmp_path):
    """A .ts edited without `make translations` would ship a .qm that does not say what the .ts says."""
    for ts in sorted(I18N.glob("icesight_*.ts")):
        compiled = tmp_path / f"{ts.stem}.qm"
        subprocess.run(["lrelease", "-silent", str(ts), "-qm", str(compiled)], check=True, env={"QT_SELECT": "qt5"})
        assert compiled.read_bytes() == (I18N / f"{ts.stem}.qm").read_bytes(), f"run `make translations`: {ts.name}"


class _MarkingTranslator(QTranslator):
    """Translates every message of the catalogue, under the catalogue's context only, to «source»."""

    def __init__(self, messages: dict[str, dict[str, str | None]]):
        super().__init__()
        self.messages = messages

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False

    def translate(self, context, source, disambiguation=None, n=-1):
        return f"«{source}»" if source in self.messages.get(context, ()) else None


def _widget_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        texts.append(widget.toolTip())
    return [text for text in texts if text]


def test_the_catalogue_contexts_are_the_ones_tr_looks_under(user_locale, start_plugin):
    """pylupdate5 files a string under the class whose code calls tr(); PyQt's tr() looks under the
    instance's class and the plugin's own tr() under the instance's classes and @default. With every
    catalogue message translated under its catalogue context only, no string the plugin shows through
    tr() may stay in English."""
    messages = catalogue(I18N / "icesight.ts")
    sources = {source for context in messages.values() for source in context}
    assert {"IceSightDock", "IceSightPlugin", "MapSceneAlgorithm", "@default"} <= messages.keys()
    user_locale("xx_XX")
    marking = _MarkingTranslator(messages)
    QCoreApplication.installTranslator(marking)
    try:
        plugin = start_plugin()
        shown = plugin.dock.page_titles() + list(_action_texts(plugin).values()) + _widget_texts(plugin.dock)
        algorithms = [a for a in QgsApplication.processingRegistry().algorithms() if a.provider().id() == "icesight"]
        # Two algorithms predate translation and show plain English: only the translated ones count.
        algorithms = [a for a in algorithms if a.displayName().startswith("«")]
        assert len(algorithms) >= 7
        for algorithm in algorithms:
            shown.append(algorithm.displayName())
            shown.extend(p.description() for p in algorithm.parameterDefinitions())
            shown.extend(o.description() for o in algorithm.outputDefinitions())
        # A message of the algorithms' base class's code: filed under the base class, asked for from
        # an instance of a class that inherits it.
        map_scene = QgsApplication.processingRegistry().algorithmById("icesight:map_scene").create()
        with pytest.raises(QgsProcessingException) as no_scene:
            map_scene.catalog_scene({}, QgsProcessingContext(), map_scene.SCENE_ID, map_scene.SCENE, "map")
        shown.append(str(no_scene.value))
        marked = [text for text in shown if text.startswith("«")]
        assert len(marked) > 100
        assert [text for text in shown if text in sources] == []
    finally:
        QCoreApplication.removeTranslator(marking)


def _tr_calls(path: Path):
    """The tr() and translate() calls of a module, with the argument that holds the source text."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name == "tr" and node.args:
            yield node, node.args[0]
        elif name in ("translate", "QT_TRANSLATE_NOOP") and len(node.args) >= 2:
            yield node, node.args[1]


def test_every_source_text_handed_to_tr_can_be_collected():
    """pylupdate5 only collects a literal: a text built inside tr() (f-string, +, %, .format) never
    reaches the catalogue and stays English. A name handed to tr() must hold texts marked with
    QT_TRANSLATE_NOOP (so catalogued under @default, where the plugin's tr() looks last)."""
    built = []
    for path in sorted((ROOT / "qgis_plugin" / "icesight_qgis").rglob("*.py")):
        for call, text in _tr_calls(path):
            if isinstance(text, (ast.JoinedStr, ast.BinOp)) or (
                    isinstance(text, ast.Call) and getattr(text.func, "attr", None) == "format"):
                built.append(f"{path.name}:{call.lineno}: {ast.unparse(call)[:80]}")
    assert built == []

    from icesight_qgis.chart_algorithms import DEFAULT_TITLE as ALGORITHM_TITLE
    from icesight_qgis.chart_export import FORMATS
    from icesight_qgis.panels.chart import DEFAULT_TITLE
    from icesight_qgis.panels.jobs import COLUMNS
    from icesight_qgis.panels.models import METRIC_HEADERS, METRICS
    from icesight_qgis.slices import SliceBy

    named = {DEFAULT_TITLE, ALGORITHM_TITLE, *COLUMNS, *METRIC_HEADERS.values(), *(name for _key, name in METRICS),
             *(name for name, _writer in FORMATS.values()), *(by.value for by in SliceBy)}
    default = catalogue(I18N / "icesight.ts")["@default"]
    assert sorted(named - default.keys()) == []
    german = catalogue(I18N / "icesight_de.ts")["@default"]
    assert german["incidence angle"] == "Einfallswinkel" and german["Elapsed"] == "Dauer"


def test_german_names_the_new_experiment_options_and_the_heatmap_legend(user_locale, start_plugin, tmp_path,
                                                                        write_tif):
    import numpy as np
    from qgis.core import QgsProject, QgsRasterLayer

    user_locale("de_DE")
    plugin = start_plugin()
    experiments = plugin.dock.experiments
    assert experiments.lr_low_spin.parentWidget().title() == "Suchraum"
    assert experiments.pruning_check.text() == "Schwache Versuche vorzeitig beenden"
    assert experiments.field_words()["space.batch_size"] == "Batch-Größen"

    from icesight_qgis.layers import style_heatmap

    tif = write_tif(tmp_path / "heatmap.tif", [np.linspace(-1, 1, 64).reshape(8, 8)])
    layer = QgsRasterLayer(str(tif), "heatmap")
    QgsProject.instance().addMapLayer(layer)
    try:
        style_heatmap(layer)
        settings = layer.renderer().shader().rasterShaderFunction().legendSettings()
        assert (settings.minimumLabel(), settings.maximumLabel()) == ("zum Schiff hin", "zum Eisberg hin")
        node = QgsProject.instance().layerTreeRoot().findLayer(layer.id())
        assert node.customProperty("legend/label-0") == "Attribution (HH + HV)"
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
