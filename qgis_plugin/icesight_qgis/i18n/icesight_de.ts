<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>@default</name>
    <message>
        <location filename="../scene_algorithms.py" line="59"/>
        <source>Acquisition mode</source>
        <translation>Aufnahmemodus</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="59"/>
        <source>from the file</source>
        <translation>aus der Datei</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="65"/>
        <source>Acquisition time, ISO 8601 (empty: from the file)</source>
        <translation>Aufnahmezeit, ISO 8601 (leer: aus der Datei)</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="23"/>
        <source>Icebergs from Sentinel-1 (IceSight)</source>
        <translation>Eisberge aus Sentinel-1 (IceSight)</translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="29"/>
        <source>GeoPackage</source>
        <translation>GeoPackage</translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="30"/>
        <source>GeoJSON (WGS 84)</source>
        <translation>GeoJSON (WGS 84)</translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="31"/>
        <source>SIGRID-3 (shapefile)</source>
        <translation>SIGRID-3 (Shapefile)</translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="32"/>
        <source>S-411 GML</source>
        <translation>S-411 GML</translation>
    </message>
    <message>
        <location filename="../layers.py" line="192"/>
        <source>Attribution (HH + HV)</source>
        <translation>Attribution (HH + HV)</translation>
    </message>
    <message>
        <location filename="../layers.py" line="193"/>
        <source>towards ship</source>
        <translation>zum Schiff hin</translation>
    </message>
    <message>
        <location filename="../layers.py" line="194"/>
        <source>no influence</source>
        <translation>kein Einfluss</translation>
    </message>
    <message>
        <location filename="../layers.py" line="195"/>
        <source>towards iceberg</source>
        <translation>zum Eisberg hin</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Job</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Stage</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Elapsed</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>Log loss</source>
        <translation>Log-Loss</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>ROC AUC</source>
        <translation>ROC-AUC</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="30"/>
        <source>ECE</source>
        <translation>ECE</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="29"/>
        <source>LL</source>
        <translation>LL</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="29"/>
        <source>Acc</source>
        <translation>Gen.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="30"/>
        <source>AUC</source>
        <translation>AUC</translation>
    </message>
    <message>
        <location filename="../slices.py" line="45"/>
        <source>incidence angle</source>
        <translation>Einfallswinkel</translation>
    </message>
    <message>
        <location filename="../slices.py" line="46"/>
        <source>target length</source>
        <translation>Ziellänge</translation>
    </message>
    <message>
        <location filename="../slices.py" line="47"/>
        <source>open water / sea ice</source>
        <translation>offenes Wasser / Meereis</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="75"/>
        <source>Leave out land (the backend&apos;s built-in mask: GLOBE, about 1 km cells)</source>
        <translation>Land auslassen (eingebaute Maske des Backends: GLOBE, Zellen von etwa 1 km)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="78"/>
        <source>Land polygons of your own (e.g. a detailed coastline), also left out</source>
        <translation>Eigene Landpolygone (z. B. eine genaue Küstenlinie), ebenfalls ausgelassen</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="81"/>
        <source>Land buffer, seaward (m)</source>
        <translation>Landpuffer seewärts (m)</translation>
    </message>
    <message>
        <location filename="../scene_layers.py" line="217"/>
        <source>Land left out {scene} (job {job})</source>
        <translation>Ausgelassenes Land {scene} (Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="65"/>
        <source>Acquired: {acquired}    Model: {model}    Produced: {produced}</source>
        <translation>Aufgenommen: {acquired}    Modell: {model}    Erstellt: {produced}</translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="66"/>
        <source>Iceberg sizes: WMO length classes from the horizontal SAR length (not the height that defines growlers and bergy bits)</source>
        <translation>Eisberggrößen: WMO-Längenklassen aus der horizontalen SAR-Länge (nicht aus der Höhe, nach der Growler und Eisbergstücke bestimmt werden)</translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="181"/>
        <source>Legend</source>
        <translation>Legende</translation>
    </message>
    <message>
        <location filename="../layers.py" line="123"/>
        <source>Targets (job {job})</source>
        <translation>Ziele (Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../layers.py" line="258"/>
        <source>Explanations</source>
        <translation>Erklärungen</translation>
    </message>
    <message>
        <location filename="../layers.py" line="264"/>
        <source>all targets</source>
        <translation>alle Ziele</translation>
    </message>
    <message>
        <location filename="../layers.py" line="265"/>
        <source>Heatmap {target}</source>
        <translation>Heatmap {target}</translation>
    </message>
    <message>
        <location filename="../layers.py" line="278"/>
        <source>Iceberg probability {scene}</source>
        <translation>Eisbergwahrscheinlichkeit {scene}</translation>
    </message>
    <message>
        <location filename="../scene_layers.py" line="244"/>
        <source>Detections {scene} (job {job})</source>
        <translation>Detektionen {scene} (Auftrag {job})</translation>
    </message>
</context>
<context>
    <name>AblationChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="521"/>
        <source>change of validation log loss without each component</source>
        <translation>Änderung des Validierungs-Log-Loss ohne jede Komponente</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="583"/>
        <source>no ablation study yet</source>
        <translation>noch keine Ablationsstudie</translation>
    </message>
</context>
<context>
    <name>AddToFeatureGroupAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="169"/>
        <source>Add labelled targets to a feature group</source>
        <translation>Beschriftete Ziele einer Feature-Gruppe hinzufügen</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="172"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene and stores the patches, with the analyst&apos;s labels, as a new version of a feature group on the IceSight backend (validated; positions kept, so the version is GeoParquet). The label field holds ship, iceberg or clutter (or 0 / 1); empty values are stored unlabelled. STRICT refuses the whole insert if any patch fails a rule; WARNING stores the sound ones and reports the rest. Train on it with a training dataset of that version.</source>
        <translation>Schneidet um jeden Zielpunkt einen Ausschnitt von 75 x 75 Pixeln aus der Szene und speichert die Ausschnitte mit den Beschriftungen des Analysten als neue Version einer Feature-Gruppe im IceSight-Backend (geprüft; die Positionen bleiben erhalten, die Version ist daher GeoParquet). Das Beschriftungsfeld enthält ship, iceberg oder clutter (oder 0 / 1); leere Werte werden unbeschriftet gespeichert. STRICT lehnt das ganze Einfügen ab, wenn ein Ausschnitt eine Regel verletzt; WARNING speichert die einwandfreien und meldet die übrigen. Zum Trainieren einen Trainingsdatensatz dieser Version verwenden.</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="184"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation>Szenen-Raster (HH, HV[, Einfallswinkel])</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="185"/>
        <source>Labelled targets</source>
        <translation>Beschriftete Ziele</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="186"/>
        <source>Label field (ship / iceberg / clutter)</source>
        <translation>Beschriftungsfeld (ship / iceberg / clutter)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="187"/>
        <source>Feature group (lower-case letters, digits, _)</source>
        <translation>Feature-Gruppe (Kleinbuchstaben, Ziffern, _)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="188"/>
        <source>Validation</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="189"/>
        <source>Third channel</source>
        <translation>Dritter Kanal</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="190"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="191"/>
        <source>Feature group version</source>
        <translation>Version der Feature-Gruppe</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="192"/>
        <source>Patches stored</source>
        <translation>Gespeicherte Ausschnitte</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="193"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
</context>
<context>
    <name>AnalysisPanel</name>
    <message>
        <location filename="../panels/analysis.py" line="49"/>
        <source>Selected targets</source>
        <translation>Ausgewählte Ziele</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="56"/>
        <source>Scene (HH, HV[, incidence])</source>
        <translation>Szene (HH, HV[, Einfallswinkel])</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="57"/>
        <source>Targets (points)</source>
        <translation>Ziele (Punkte)</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="58"/>
        <source>Classify selected patches</source>
        <translation>Ausgewählte Ausschnitte klassifizieren</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="61"/>
        <source>Explain selected</source>
        <translation>Ausgewählte erklären</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="63"/>
        <source>Attribution</source>
        <translation>Attribution</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="68"/>
        <source>Whole scene</source>
        <translation>Ganze Szene</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="74"/>
        <source>Pixels with a lower iceberg probability are transparent</source>
        <translation>Pixel mit geringerer Eisberg-Wahrscheinlichkeit sind transparent</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="76"/>
        <source>Map scene</source>
        <translation>Szene kartieren</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="77"/>
        <source>Iceberg probability of every pixel of the chosen catalog scene</source>
        <translation>Eisberg-Wahrscheinlichkeit jedes Pixels der gewählten Katalogszene</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="79"/>
        <source>Show probability from</source>
        <translation>Wahrscheinlichkeit anzeigen ab</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="113"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation>IceSight arbeitet noch an einem Auftrag; warten Sie oder brechen Sie ihn ab.</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="128"/>
        <source>Pick a point layer of targets, then select the targets.</source>
        <translation>Wählen Sie einen Punkt-Layer mit Zielen und dann die Ziele aus.</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="132"/>
        <source>No targets selected in {layer}: select some with the selection tool first.</source>
        <translation>In {layer} sind keine Ziele ausgewählt: wählen Sie zuerst welche mit dem Auswahlwerkzeug aus.</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="159"/>
        <source>{what} cancelled.</source>
        <translation>{what} abgebrochen.</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="161"/>
        <source>{what} failed: {error}</source>
        <translation>{what} fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="165"/>
        <source> ({n} target(s) off the scene skipped)</source>
        <translation> ({n} Ziel(e) außerhalb der Szene übersprungen)</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="178"/>
        <source>Classifying {n} target(s)...</source>
        <translation>{n} Ziel(e) werden klassifiziert...</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="181"/>
        <source>Classification</source>
        <translation>Klassifizierung</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="189"/>
        <source>Job {job}: {ships} ship(s), {bergs} iceberg(s) (model {model}){note}</source>
        <translation>Auftrag {job}: {ships} Schiff(e), {bergs} Eisberg(e) (Modell {model}){note}</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="206"/>
        <source>Explaining {n} target(s) with {method}...</source>
        <translation>{n} Ziel(e) werden mit {method} erklärt...</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="214"/>
        <source>Explanation</source>
        <translation>Erklärung</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="221"/>
        <source>Job {job}: {n} decision(s) explained ({method}, model {model}){note}</source>
        <translation>Auftrag {job}: {n} Entscheidung(en) erklärt ({method}, Modell {model}){note}</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="235"/>
        <source>{scene} is a local raster the backend does not know: upload and ingest it into the backend&apos;s scene catalog first (POST /uploads, then an ingest_scene job), then load the catalog scene and map it.</source>
        <translation>{scene} ist ein lokales Raster, das das Backend nicht kennt: laden Sie es zuerst hoch und lesen Sie es in den Szenenkatalog des Backends ein (POST /uploads, dann ein ingest_scene-Auftrag); laden Sie dann die Katalogszene und kartieren Sie sie.</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="245"/>
        <source>Mapping scene {scene}...</source>
        <translation>Szene {scene} wird kartiert...</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="248"/>
        <source>Scene map</source>
        <translation>Szenenkarte</translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="255"/>
        <source>Job {job}: {share:.1%} of scene {scene} looks like iceberg (model {model})</source>
        <translation>Auftrag {job}: {share:.1%} der Szene {scene} sehen nach Eisberg aus (Modell {model})</translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../panels/chart.py" line="57"/>
        <source>Classification</source>
        <translation>Klassifizierung</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="67"/>
        <source>Icebergs with a lower iceberg probability are left off the chart</source>
        <translation>Eisberge mit geringerer Eisberg-Wahrscheinlichkeit bleiben von der Karte weg</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="69"/>
        <source>Classification layer</source>
        <translation>Klassifizierungs-Layer</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="70"/>
        <source>Optional: the chart&apos;s map background, its pixel size (a length for bergs known only by their bright area) and its catalog id (the acquisition date)</source>
        <translation>Optional: der Kartenhintergrund, seine Pixelgröße (eine Länge für Eisberge, die nur durch ihre helle Fläche bekannt sind) und seine Katalog-ID (das Aufnahmedatum)</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="73"/>
        <source>Scene (optional)</source>
        <translation>Szene (optional)</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="74"/>
        <source>Iceberg probability from</source>
        <translation>Eisberg-Wahrscheinlichkeit ab</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="78"/>
        <source>Export icebergs</source>
        <translation>Eisberge exportieren</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="91"/>
        <source>Save in</source>
        <translation>Speichern in</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="92"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="98"/>
        <source>Print chart</source>
        <translation>Karte drucken</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="101"/>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="102"/>
        <source>Print (PDF and PNG)</source>
        <translation>Drucken (PDF und PNG)</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="116"/>
        <source>Pick a classification layer (points with class and iceberg_probability).</source>
        <translation>Wählen Sie einen Klassifizierungs-Layer (Punkte mit class und iceberg_probability).</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="135"/>
        <source>The last export is still being written.</source>
        <translation>Der letzte Export wird noch geschrieben.</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="142"/>
        <source>Tick at least one format.</source>
        <translation>Kreuzen Sie mindestens ein Format an.</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="160"/>
        <source>Writing {n} iceberg(s)...</source>
        <translation>{n} Eisberg(e) werden geschrieben...</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="168"/>
        <source>Export failed: {error}</source>
        <translation>Export fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="172"/>
        <source>{n} iceberg(s) written to {folder}; left out: {ships} ship(s), {clutter} clutter (no target), {low} below probability {threshold}, {other} unclassified or without position.</source>
        <translation>{n} Eisberg(e) nach {folder} geschrieben; weggelassen: {ships} Schiff(e), {clutter} Clutter (kein Ziel), {low} unter Wahrscheinlichkeit {threshold}, {other} nicht klassifiziert oder ohne Position.</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="236"/>
        <source>Chart printed to {pdf} and {png} ({seconds:.2f} s).</source>
        <translation>Karte nach {pdf} und {png} gedruckt ({seconds:.2f} s).</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="90"/>
        <source>next to the project (or the results folder)</source>
        <translation>neben dem Projekt (oder im Ergebnisordner)</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="192"/>
        <source>The chart is still being printed.</source>
        <translation>Die Karte wird noch gedruckt.</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="196"/>
        <source>IceSight: copy the scene for the chart</source>
        <translation>IceSight: Szene für die Karte kopieren</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="200"/>
        <source>Reading the scene for the chart...</source>
        <translation>Die Szene wird für die Karte gelesen...</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="209"/>
        <source>The chart could not be printed: {error}</source>
        <translation>Die Karte konnte nicht gedruckt werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="214"/>
        <source>The chart was not printed: its layer or scene left the project meanwhile.</source>
        <translation>Die Karte wurde nicht gedruckt: ihre Ebene oder Szene wurde inzwischen aus dem Projekt entfernt.</translation>
    </message>
</context>
<context>
    <name>ChartSceneAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="275"/>
        <source>Chart a scene (detect, classify, explain)</source>
        <translation>Szene kartieren (erkennen, klassifizieren, erklären)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="278"/>
        <source>The backend&apos;s whole chain in one job: a catalog scene (its id or a raster layer of it), or a local scene file uploaded and ingested first, is searched for targets (CFAR), every detection is classified ship, iceberg or clutter, and the least certain calls are explained. Writes the classified targets, styled and ready for review and the ice chart. Stages whose inputs did not change since an earlier run are reused, so charting a scene again is quick.</source>
        <translation>Die ganze Kette des Backends in einem Auftrag: eine Katalogszene (ihre ID oder ein Raster-Layer davon) oder eine lokale Szenendatei, die zuerst hochgeladen und eingelesen wird, wird nach Zielen durchsucht (CFAR), jede Detektion wird als Schiff, Eisberg oder Clutter klassifiziert, und die unsichersten Entscheidungen werden erklärt. Schreibt die klassifizierten Ziele, gestylt und bereit für die Überprüfung und die Eiskarte. Schritte, deren Eingaben sich seit einem früheren Lauf nicht geändert haben, werden wiederverwendet; eine Szene erneut zu kartieren geht daher schnell.</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="306"/>
        <source>Catalog scene id</source>
        <translation>Katalog-ID der Szene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="291"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation>...oder ein Raster-Layer einer Katalogszene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="298"/>
        <source>Model id (empty: the production model)</source>
        <translation>Modell-ID (leer: das Produktionsmodell)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="300"/>
        <source>Explain the least certain calls (how many)</source>
        <translation>Die unsichersten Entscheidungen erklären (wie viele)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="304"/>
        <source>Classified targets</source>
        <translation>Klassifizierte Ziele</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="307"/>
        <source>Detections</source>
        <translation>Detektionen</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="308"/>
        <source>Ships</source>
        <translation>Schiffe</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="309"/>
        <source>Icebergs</source>
        <translation>Eisberge</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="310"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="316"/>
        <source>chart</source>
        <translation>für die Eiskarte auswerten</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="318"/>
        <source>the scene file {path} does not exist</source>
        <translation>die Szenendatei {path} existiert nicht</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="335"/>
        <source>Targets {scene} (job {job})</source>
        <translation>Ziele {scene} (Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="293"/>
        <source>...or a local scene file to upload (GeoTIFF/COG, zipped SAFE or SNAP .dim)</source>
        <translation>...oder eine lokale Szenendatei zum Hochladen (GeoTIFF/COG, gezipptes SAFE oder SNAP-.dim)</translation>
    </message>
</context>
<context>
    <name>ClassifyPatchesAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="106"/>
        <source>Classify targets as ship or iceberg</source>
        <translation>Ziele als Schiff oder Eisberg klassifizieren</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="109"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene (bands: HH, HV sigma0, optional incidence angle), classifies the patches on the IceSight backend and writes a GeoPackage of targets with class and iceberg probability. Uses the backend URL and token saved in the IceSight dock. Tick &apos;Selected features only&apos; on the targets to classify a selection.</source>
        <translation>Schneidet um jeden Zielpunkt einen Ausschnitt von 75 x 75 Pixeln aus der Szene (Bänder: HH, HV sigma0, optional Einfallswinkel), klassifiziert die Ausschnitte im IceSight-Backend und schreibt ein GeoPackage der Ziele mit Klasse und Eisberg-Wahrscheinlichkeit. Verwendet die im IceSight-Bedienfeld gespeicherte Backend-URL und das Token. Kreuzen Sie bei den Zielen „Nur gewählte Objekte“ an, um eine Auswahl zu klassifizieren.</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="120"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation>Szenen-Raster (HH, HV[, Einfallswinkel])</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="121"/>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="124"/>
        <source>Model id (empty: newest)</source>
        <translation>Modell-ID (leer: das neueste)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="125"/>
        <source>Classified targets</source>
        <translation>Klassifizierte Ziele</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="128"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="146"/>
        <source>Targets (job {job})</source>
        <translation>Ziele (Auftrag {job})</translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <location filename="../panels/connection.py" line="31"/>
        <source>token from the backend&apos;s config folder</source>
        <translation>Token aus dem Konfigurationsordner des Backends</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="33"/>
        <source>How long to wait for the backend to accept a connection</source>
        <translation>Wie lange auf die Annahme einer Verbindung durch das Backend gewartet wird</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="35"/>
        <source>How long to wait for each answer of the backend</source>
        <translation>Wie lange auf jede Antwort des Backends gewartet wird</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="39"/>
        <source>next to the saved project</source>
        <translation>neben dem gespeicherten Projekt</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="41"/>
        <source>Save and test connection</source>
        <translation>Speichern und Verbindung testen</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="44"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="45"/>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="46"/>
        <source>Connect timeout</source>
        <translation>Verbindungs-Timeout</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="47"/>
        <source>Answer timeout</source>
        <translation>Antwort-Timeout</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="48"/>
        <source>Results folder</source>
        <translation>Ergebnisordner</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="59"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="72"/>
        <source>IceSight: test the backend connection</source>
        <translation>IceSight: Backend-Verbindung testen</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="74"/>
        <source>Testing the connection to {url}...</source>
        <translation>Verbindung zu {url} wird getestet...</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="82"/>
        <source>Not connected: {error}</source>
        <translation>Nicht verbunden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="83"/>
        <source>IceSight backend not usable: {error}</source>
        <translation>IceSight-Backend nicht nutzbar: {error}</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="86"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="86"/>
        <source>CPU only</source>
        <translation>nur CPU</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="87"/>
        <source>none set (jobs use the newest model)</source>
        <translation>keins festgelegt (Aufträge verwenden das neueste Modell)</translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="88"/>
        <source>Connected to IceSight {version} (API {api}).
{workers} worker(s), {threads} threads, {gpu}.
Queue: {queued} job(s) waiting, {running} running.
Production model: {production}</source>
        <translation>Verbunden mit IceSight {version} (API {api}).
{workers} Worker, {threads} Threads, {gpu}.
Warteschlange: {queued} Auftrag/Aufträge wartend, {running} laufend.
Produktionsmodell: {production}</translation>
    </message>
</context>
<context>
    <name>DetectTargetsAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="209"/>
        <source>Detect targets (CFAR)</source>
        <translation>Ziele erkennen (CFAR)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="225"/>
        <source>Catalog scene id</source>
        <translation>Katalog-ID der Szene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="226"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation>...oder ein Raster-Layer einer Katalogszene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="231"/>
        <source>Detections</source>
        <translation>Detektionen</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="233"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="236"/>
        <source>detect targets on</source>
        <translation>nach Zielen durchsuchen</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="246"/>
        <source>Detections {scene} (job {job})</source>
        <translation>Detektionen {scene} (Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="232"/>
        <source>Share of the scene left out as land (-1: none asked for)</source>
        <translation>Als Land ausgelassener Anteil der Szene (-1: keines verlangt)</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="212"/>
        <source>Finds the bright targets of a catalog scene on the IceSight backend (K-distribution CFAR, sea-ice aware) and writes one point per detection with its area, length and co-/cross-pol sigma0. Give the catalog scene id or a raster layer of a catalog scene; a local raster must be uploaded first. Land is left out (nothing is detected on it and it enters no background window): the backend&apos;s built-in mask, your own land polygons, or both, grown seaward by the buffer; the land left out is loaded as a half-transparent khaki layer.</source>
        <translation>Findet die hellen Ziele einer Katalogszene im IceSight-Backend (K-Verteilungs-CFAR, berücksichtigt Meereis) und schreibt einen Punkt je Detektion mit Fläche, Länge und Ko-/Kreuzpolarisations-sigma0. Geben Sie die Katalog-ID der Szene oder einen Raster-Layer einer Katalogszene an; ein lokales Raster muss zuerst hochgeladen werden. Land wird ausgelassen (dort wird nichts detektiert, und es geht in kein Hintergrundfenster ein): die eingebaute Maske des Backends, Ihre eigenen Landpolygone oder beide, seewärts um den Puffer erweitert; das ausgelassene Land wird als halbtransparenter khakifarbener Layer geladen.</translation>
    </message>
</context>
<context>
    <name>ExperimentsPanel</name>
    <message>
        <location filename="../panels/experiments.py" line="278"/>
        <source>Training data</source>
        <translation>Trainingsdaten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="281"/>
        <source>A training dataset</source>
        <translation>Ein Trainingsdatensatz</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="282"/>
        <source>Simulated patches (training only)</source>
        <translation>Simulierte Ausschnitte (nur Training)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="284"/>
        <source>Train on</source>
        <translation>Trainieren mit</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="290"/>
        <source>Training dataset and version: a seeded split of a feature group version</source>
        <translation>Trainingsdatensatz und Version: eine Aufteilung einer Feature-Gruppen-Version mit festem Startwert</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="294"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="295"/>
        <source>Refresh: list the backend&apos;s training datasets and feature groups again</source>
        <translation>Aktualisieren: die Trainingsdatensätze und Feature-Gruppen des Backends erneut auflisten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="301"/>
        <source>Training dataset</source>
        <translation>Trainingsdatensatz</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="306"/>
        <source>The fold that validates; the other folds train</source>
        <translation>Die Faltung, die validiert; die anderen Faltungen trainieren</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="307"/>
        <source>Validation fold</source>
        <translation>Validierungsfaltung</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="321"/>
        <source>Labelled patches drawn from the scene simulator&apos;s ship, iceberg and clutter models</source>
        <translation>Beschriftete Ausschnitte aus den Schiffs-, Eisberg- und Clutter-Modellen des Szenensimulators</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="325"/>
        <source>Simulated patches</source>
        <translation>Simulierte Ausschnitte</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="326"/>
        <source>Seed</source>
        <translation>Startwert (Seed)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="332"/>
        <source>New training dataset</source>
        <translation>Neuer Trainingsdatensatz</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="336"/>
        <source>The feature group version to split into training and validation parts</source>
        <translation>Die Feature-Gruppen-Version, die in Trainings- und Validierungsteil aufgeteilt wird</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="338"/>
        <source>Feature group version</source>
        <translation>Version der Feature-Gruppe</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="340"/>
        <source>Lower-case letters, digits and _, starting with a letter; a name that exists gets a new version</source>
        <translation>Kleinbuchstaben, Ziffern und _, beginnend mit einem Buchstaben; ein vorhandener Name erhält eine neue Version</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="343"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="352"/>
        <source>Share held out first, to score the models trained on the dataset</source>
        <translation>Anteil, der zuerst zurückgehalten wird, um die mit dem Datensatz trainierten Modelle zu bewerten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="363"/>
        <source>Validation share</source>
        <translation>Validierungsanteil</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="364"/>
        <source>Held-out test share</source>
        <translation>Zurückgehaltener Testanteil</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="365"/>
        <source>Make training dataset</source>
        <translation>Trainingsdatensatz erstellen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="372"/>
        <source>Experiment</source>
        <translation>Experiment</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="375"/>
        <source>Train a model</source>
        <translation>Ein Modell trainieren</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="376"/>
        <source>Search hyper-parameters</source>
        <translation>Hyperparameter suchen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="377"/>
        <source>Ablation study</source>
        <translation>Ablationsstudie</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="453"/>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="381"/>
        <source>LeNet (small, quick)</source>
        <translation>LeNet (klein, schnell)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="382"/>
        <source>Reference CNN (larger)</source>
        <translation>Referenz-CNN (größer)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="384"/>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="659"/>
        <source>Epochs</source>
        <translation>Epochen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="400"/>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="401"/>
        <source>Batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="419"/>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="420"/>
        <source>Trials trained at the same time on the backend&apos;s Dask workers; automatic: as many as the workers have threads</source>
        <translation>Gleichzeitig trainierte Versuche auf den Dask-Workern des Backends; automatisch: so viele, wie die Worker Threads haben</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="422"/>
        <source>Trials</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="423"/>
        <source>Trials at once</source>
        <translation>Versuche gleichzeitig</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="440"/>
        <source>Each ticked component is left out of one model trained like the full one</source>
        <translation>Jede angekreuzte Komponente wird aus einem Modell weggelassen, das wie das vollständige trainiert wird</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="444"/>
        <source>Each configuration is trained with this many seeds; a change smaller than their spread is noise</source>
        <translation>Jede Konfiguration wird mit so vielen Startwerten trainiert; eine Änderung kleiner als deren Streuung ist Rauschen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="446"/>
        <source>Leave out, one at a time</source>
        <translation>Weglassen, eine nach der anderen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="447"/>
        <source>Seeds per configuration</source>
        <translation>Startwerte je Konfiguration</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="455"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="560"/>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="562"/>
        <source>Run an experiment to see its results here.</source>
        <translation>Führen Sie ein Experiment aus, um hier seine Ergebnisse zu sehen.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Trial</source>
        <translation>Versuch</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Val. log loss</source>
        <translation>Val.-Log-Loss</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Left out</source>
        <translation>Weggelassen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Log loss</source>
        <translation>Log-Loss</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="579"/>
        <source>Right of 0 (blue): the model is worse without the component, so the component helps; left of 0 (orange): the model does better without it.</source>
        <translation>Rechts von 0 (blau): Das Modell ist ohne die Komponente schlechter, die Komponente hilft also; links von 0 (orange): Das Modell ist ohne sie besser.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="586"/>
        <source>Use for classification</source>
        <translation>Für die Klassifizierung verwenden</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="587"/>
        <source>Classify, explain and map scenes with this model (see the Models page)</source>
        <translation>Szenen mit diesem Modell klassifizieren, erklären und kartieren (siehe Seite Modelle)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="607"/>
        <source>training dataset</source>
        <translation>Trainingsdatensatz</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="607"/>
        <source>feature group</source>
        <translation>Feature-Gruppe</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="608"/>
        <source>name of the training dataset</source>
        <translation>Name des Trainingsdatensatzes</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="608"/>
        <source>epochs</source>
        <translation>Epochen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="609"/>
        <source>learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="609"/>
        <source>batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="610"/>
        <source>number of trials</source>
        <translation>Anzahl der Versuche</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="610"/>
        <source>trials at once</source>
        <translation>Versuche gleichzeitig</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="611"/>
        <source>components to leave out</source>
        <translation>wegzulassende Komponenten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="611"/>
        <source>seeds per configuration</source>
        <translation>Startwerte je Konfiguration</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="612"/>
        <source>validation share</source>
        <translation>Validierungsanteil</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="612"/>
        <source>held-out test share</source>
        <translation>zurückgehaltener Testanteil</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="613"/>
        <source>simulated patches</source>
        <translation>simulierte Ausschnitte</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="614"/>
        <source>network geometry</source>
        <translation>Netzgeometrie</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="614"/>
        <source>hyper-parameters</source>
        <translation>Hyperparameter</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="624"/>
        <source>nothing (full model)</source>
        <translation>nichts (vollständiges Modell)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="624"/>
        <source>cross-pol band (HV)</source>
        <translation>Kreuzpolarisations-Band (HV)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="625"/>
        <source>derived third channel</source>
        <translation>abgeleiteter dritter Kanal</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="627"/>
        <source>dense layers</source>
        <translation>dichte Schichten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="631"/>
        <source>convolution block {n}</source>
        <translation>Faltungsblock {n}</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="635"/>
        <source>Training</source>
        <translation>Das Training</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="635"/>
        <source>The hyper-parameter search</source>
        <translation>Die Hyperparameter-Suche</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="636"/>
        <source>The ablation study</source>
        <translation>Die Ablationsstudie</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="636"/>
        <source>Making the training dataset</source>
        <translation>Das Erstellen des Trainingsdatensatzes</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="637"/>
        <source>The job</source>
        <translation>Der Auftrag</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="659"/>
        <source>Epochs per trial</source>
        <translation>Epochen je Versuch</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="714"/>
        <source>choose one (Refresh lists them), or make one from a feature group version</source>
        <translation>wählen Sie einen aus (Aktualisieren listet sie auf) oder erstellen Sie einen aus einer Feature-Gruppen-Version</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="732"/>
        <source>searches and ablation studies run on a training dataset</source>
        <translation>Suchen und Ablationsstudien laufen auf einem Trainingsdatensatz</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="742"/>
        <source>tick at least one</source>
        <translation>kreuzen Sie mindestens eine an</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="755"/>
        <source>Searches and ablation studies run on a training dataset: choose one under Training data.</source>
        <translation>Suchen und Ablationsstudien laufen auf einem Trainingsdatensatz: wählen Sie einen unter Trainingsdaten.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="757"/>
        <source>Choose a training dataset (Refresh lists them), make one from a feature group version, or train on simulated patches.</source>
        <translation>Wählen Sie einen Trainingsdatensatz (Aktualisieren listet sie auf), erstellen Sie einen aus einer Feature-Gruppen-Version oder trainieren Sie mit simulierten Ausschnitten.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="782"/>
        <source>IceSight: list training datasets and feature groups</source>
        <translation>IceSight: Trainingsdatensätze und Feature-Gruppen auflisten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="786"/>
        <source>Reading the feature store...</source>
        <translation>Der Feature-Store wird gelesen...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="795"/>
        <source>The training datasets could not be listed: {error}</source>
        <translation>Die Trainingsdatensätze konnten nicht aufgelistet werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="815"/>
        <source>{group} v{version} ({n} labelled)</source>
        <translation>{group} v{version} ({n} beschriftet)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="826"/>
        <source>There is no training dataset yet: make one from a feature group version below, or train on simulated patches.</source>
        <translation>Es gibt noch keinen Trainingsdatensatz: erstellen Sie unten einen aus einer Feature-Gruppen-Version oder trainieren Sie mit simulierten Ausschnitten.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="829"/>
        <source>There is no training dataset and no feature group yet: send reviewed targets (Review page) or add labelled targets with the Processing algorithm to make a feature group, or train on simulated patches.</source>
        <translation>Es gibt noch keinen Trainingsdatensatz und keine Feature-Gruppe: senden Sie überprüfte Ziele (Seite Überprüfen) oder fügen Sie mit dem Processing-Algorithmus beschriftete Ziele hinzu, um eine Feature-Gruppe anzulegen, oder trainieren Sie mit simulierten Ausschnitten.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="838"/>
        <source>No training dataset listed.</source>
        <translation>Kein Trainingsdatensatz aufgelistet.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="845"/>
        <source>From feature group {group} v{version}; patches per part: {parts}.</source>
        <translation>Aus Feature-Gruppe {group} v{version}; Ausschnitte je Teil: {parts}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="888"/>
        <source>{what} was cancelled; the backend stopped job {job}.</source>
        <translation>{what} wurde abgebrochen; das Backend hat Auftrag {job} gestoppt.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="888"/>
        <source>{what} was cancelled.</source>
        <translation>{what} wurde abgebrochen.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="892"/>
        <source>{what} failed: {error}</source>
        <translation>{what} fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="899"/>
        <source>Cancelling...</source>
        <translation>Wird abgebrochen...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="940"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation>IceSight arbeitet noch an einem Auftrag; warten Sie oder brechen Sie ihn ab.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="918"/>
        <source>{n} simulated patches</source>
        <translation>{n} simulierte Ausschnitte</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="922"/>
        <source>Training a model on {source}...</source>
        <translation>Ein Modell wird mit {source} trainiert...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="923"/>
        <source>Searching hyper-parameters on {source}...</source>
        <translation>Hyperparameter werden auf {source} gesucht...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="924"/>
        <source>Running an ablation study on {source}...</source>
        <translation>Eine Ablationsstudie läuft auf {source}...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="944"/>
        <source>Choose a feature group version first (Refresh lists them).</source>
        <translation>Wählen Sie zuerst eine Feature-Gruppen-Version (Aktualisieren listet sie auf).</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="955"/>
        <source>Making training dataset {name} from {group} v{version}...</source>
        <translation>Trainingsdatensatz {name} wird aus {group} v{version} erstellt...</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="966"/>
        <source>Training dataset {name} v{version} made from {group} v{group_version}; patches per part: {parts}.</source>
        <translation>Trainingsdatensatz {name} v{version} aus {group} v{group_version} erstellt; Ausschnitte je Teil: {parts}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="993"/>
        <source>Model {model}: {epochs} epoch(s), the weights of epoch {best} kept; validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation>Modell {model}: {epochs} Epoche(n), die Gewichte von Epoche {best} behalten; Validierungs-Log-Loss {loss:.3f}, Genauigkeit {accuracy:.1%}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="999"/>
        <source>Held-out test part ({n} patches): log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation>Zurückgehaltener Testteil ({n} Ausschnitte): Log-Loss {loss:.3f}, Genauigkeit {accuracy:.1%}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1011"/>
        <source>{complete} complete, {pruned} pruned and {failed} failed of {n} trial(s), {parallel} at a time. Best: trial {best}, validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation>{complete} abgeschlossen, {pruned} vorzeitig beendet und {failed} fehlgeschlagen von {n} Versuch(en), {parallel} gleichzeitig. Bester: Versuch {best}, Validierungs-Log-Loss {loss:.3f}, Genauigkeit {accuracy:.1%}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1016"/>
        <source>Its model is registered as {model}.</source>
        <translation>Sein Modell ist als {model} registriert.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1016"/>
        <source>Its model was not registered.</source>
        <translation>Sein Modell wurde nicht registriert.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>complete</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>pruned</source>
        <translation>vorzeitig beendet</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1023"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1069"/>
        <source>{n} parameters, {epochs} epoch(s), {repeats} seed(s)</source>
        <translation>{n} Parameter, {epochs} Epoche(n), {repeats} Startwert(e)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1074"/>
        <source>{n} component(s) left out one at a time, {parallel} trial(s) at a time.</source>
        <translation>{n} Komponente(n) nacheinander weggelassen, {parallel} Versuch(e) gleichzeitig.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1077"/>
        <source>Full model: validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation>Vollständiges Modell: Validierungs-Log-Loss {loss:.3f}, Genauigkeit {accuracy:.1%}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1081"/>
        <source>Without {component} the model does worst.</source>
        <translation>Ohne {component} schneidet das Modell am schlechtesten ab.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1090"/>
        <source>This result has no model to use.</source>
        <translation>Dieses Ergebnis hat kein Modell, das verwendet werden könnte.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1093"/>
        <source>Classification, explanation and scene maps now use model {model}.</source>
        <translation>Klassifizierung, Erklärung und Szenenkarten verwenden jetzt Modell {model}.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="626"/>
        <source>incidence angle input</source>
        <translation>Einfallswinkel als Eingabe</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="356"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="357"/>
        <source>none: one training and one validation part. Otherwise what is not held out is split into this many folds; each fold validates once while the others train (cross-validation), the fold being chosen under Training data</source>
        <translation>keine: ein Trainings- und ein Validierungsteil. Sonst wird der nicht zurückgehaltene Rest in so viele Faltungen aufgeteilt; jede Faltung validiert einmal, während die anderen trainieren (Kreuzvalidierung); die Faltung wird unter Trainingsdaten gewählt</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="362"/>
        <source>Folds (cross-validation)</source>
        <translation>Faltungen (Kreuzvalidierung)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="404"/>
        <source> epochs</source>
        <translation> Epochen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="405"/>
        <source>Early stopping: training ends when the validation log loss has not improved for this many epochs; the best epoch&apos;s weights are kept</source>
        <translation>Early Stopping: Das Training endet, wenn sich der Validierungs-Log-Loss so viele Epochen lang nicht verbessert hat; die Gewichte der besten Epoche werden behalten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="409"/>
        <source>Early-stopping patience</source>
        <translation>Geduld für Early Stopping</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="424"/>
        <source>Prune poor trials</source>
        <translation>Schwache Versuche vorzeitig beenden</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="425"/>
        <source>Stop a trial early when it does worse than the median of the trials before it at the same epoch</source>
        <translation>Einen Versuch vorzeitig beenden, wenn er schlechter ist als der Median der früheren Versuche in derselben Epoche</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="430"/>
        <source>Each trial draws a learning rate, batch size, dropout, kernel size and filter widths from the search space. The best trial&apos;s model is registered.</source>
        <translation>Jeder Versuch zieht Lernrate, Batch-Größe, Dropout, Kernelgröße und Filterbreiten aus dem Suchraum. Das Modell des besten Versuchs wird registriert.</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="470"/>
        <source>Search space</source>
        <translation>Suchraum</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="474"/>
        <source>Learning rates are drawn on a log scale between these two</source>
        <translation>Lernraten werden auf logarithmischer Skala zwischen diesen beiden gezogen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="475"/>
        <source>Learning rate range</source>
        <translation>Bereich der Lernrate</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="477"/>
        <source>Dropout range</source>
        <translation>Bereich des Dropouts</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="479"/>
        <source>Batch sizes to choose from, separated by commas</source>
        <translation>Batch-Größen zur Auswahl, durch Kommas getrennt</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="480"/>
        <source>Batch sizes</source>
        <translation>Batch-Größen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="482"/>
        <source>Convolution kernel sizes to choose from (odd numbers), separated by commas</source>
        <translation>Kernelgrößen der Faltungen zur Auswahl (ungerade Zahlen), durch Kommas getrennt</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="484"/>
        <source>Kernel sizes</source>
        <translation>Kernelgrößen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="486"/>
        <source>Max-pooling sizes to choose from, separated by commas</source>
        <translation>Max-Pooling-Größen zur Auswahl, durch Kommas getrennt</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="487"/>
        <source>Pool sizes</source>
        <translation>Pooling-Größen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="489"/>
        <source>half, normal and double width</source>
        <translation>halbe, normale und doppelte Breite</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="490"/>
        <source>Filter counts of the convolution blocks, one number per block; alternatives separated by &apos;;&apos; (e.g. 16 32 48; 32 64 96). Empty: the architecture&apos;s filters at half, normal and double width</source>
        <translation>Filteranzahlen der Faltungsblöcke, eine Zahl je Block; Alternativen durch ';' getrennt (z. B. 16 32 48; 32 64 96). Leer: die Filter der Architektur in halber, normaler und doppelter Breite</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="493"/>
        <source>Filter widths</source>
        <translation>Filterbreiten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="494"/>
        <source>Defaults</source>
        <translation>Standardwerte</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="495"/>
        <source>Put the default search space back</source>
        <translation>Den Standard-Suchraum wiederherstellen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="517"/>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="536"/>
        <source>write whole numbers separated by commas, e.g. 32, 64</source>
        <translation>schreiben Sie ganze Zahlen, durch Kommas getrennt, z. B. 32, 64</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="552"/>
        <source>write one filter count per convolution block, alternatives separated by &apos;;&apos; (e.g. 16 32 48; 32 64 96)</source>
        <translation>schreiben Sie eine Filteranzahl je Faltungsblock, Alternativen durch ';' getrennt (z. B. 16 32 48; 32 64 96)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="615"/>
        <source>early-stopping patience</source>
        <translation>Geduld für Early Stopping</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="615"/>
        <source>number of folds</source>
        <translation>Anzahl der Faltungen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="616"/>
        <source>search space</source>
        <translation>Suchraum</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="616"/>
        <source>learning-rate range</source>
        <translation>Bereich der Lernrate</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="617"/>
        <source>dropout range</source>
        <translation>Bereich des Dropouts</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="617"/>
        <source>batch sizes</source>
        <translation>Batch-Größen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="618"/>
        <source>kernel sizes</source>
        <translation>Kernelgrößen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="618"/>
        <source>pool sizes</source>
        <translation>Pooling-Größen</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="619"/>
        <source>filter widths</source>
        <translation>Filterbreiten</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="663"/>
        <source>The search draws this for each trial (see Search space)</source>
        <translation>Die Suche zieht diesen Wert für jeden Versuch (siehe Suchraum)</translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1002"/>
        <source>Warning: validation ROC AUC {auc:.2f}, so this model separates ships from icebergs only weakly. Train on more patches or for more epochs before using it.</source>
        <translation>Warnung: Validierungs-ROC-AUC {auc:.2f}, dieses Modell trennt Schiffe und Eisberge also nur schwach. Vor der Verwendung mit mehr Patches oder mehr Epochen trainieren.</translation>
    </message>
</context>
<context>
    <name>ExplainTargetsAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="236"/>
        <source>Explain targets (why ship or iceberg)</source>
        <translation>Ziele erklären (warum Schiff oder Eisberg)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="239"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene and asks the IceSight backend why the model calls it ship or iceberg (Captum attributions). Outputs: one raster of attribution heatmaps on the patch footprints (bands: total, HH, HV, in probability units; red pushes towards iceberg, blue towards ship; empty between targets) and one point per target with the HH and HV shares of the decision, the incidence angle&apos;s part and the offset of the most telling region. Tick &apos;Selected features only&apos; on the targets to explain a selection.</source>
        <translation>Schneidet um jeden Zielpunkt einen Ausschnitt von 75 x 75 Pixeln aus der Szene und fragt das IceSight-Backend, warum das Modell ihn als Schiff oder Eisberg einstuft (Captum-Attributionen). Ausgaben: ein Raster mit Attributions-Heatmaps auf den Ausschnittflächen (Bänder: total, HH, HV, in Wahrscheinlichkeitseinheiten; Rot drückt zum Eisberg hin, Blau zum Schiff; leer zwischen den Zielen) und ein Punkt je Ziel mit den Anteilen von HH und HV an der Entscheidung, dem Anteil des Einfallswinkels und dem Versatz der aussagekräftigsten Region. Kreuzen Sie bei den Zielen „Nur gewählte Objekte“ an, um eine Auswahl zu erklären.</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="252"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation>Szenen-Raster (HH, HV[, Einfallswinkel])</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="253"/>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="256"/>
        <source>Attribution method</source>
        <translation>Attributionsmethode</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="260"/>
        <source>Model id (empty: newest)</source>
        <translation>Modell-ID (leer: das neueste)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="261"/>
        <source>Attribution heatmaps</source>
        <translation>Attributions-Heatmaps</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="262"/>
        <source>Explanations (per target)</source>
        <translation>Erklärungen (je Ziel)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="265"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="285"/>
        <source>the backend returned no heatmap (were the patches georeferenced?)</source>
        <translation>das Backend hat keine Heatmap geliefert (waren die Ausschnitte georeferenziert?)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="289"/>
        <source>Heatmaps ({method}, job {job})</source>
        <translation>Heatmaps ({method}, Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="291"/>
        <source>Explanations ({method}, job {job})</source>
        <translation>Erklärungen ({method}, Auftrag {job})</translation>
    </message>
</context>
<context>
    <name>ExportIcebergsAlgorithm</name>
    <message>
        <location filename="../chart_algorithms.py" line="58"/>
        <source>Export icebergs for the ice chart</source>
        <translation>Eisberge für die Eiskarte exportieren</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="61"/>
        <source>Writes the icebergs of a classification layer (class, iceberg_probability; length_m from the detections) with their WMO size class (growler &lt; 5 m, bergy bit 5-15 m, small 15-60 m, medium 61-120 m, large 121-200 m, very large &gt; 200 m, from the horizontal SAR length) and confidence, as GeoPackage, GeoJSON (WGS 84), a SIGRID-3 style point shapefile (POINT_TYPE ICEBRG, ICEBSZ) and an S-411 GML dataset of icebrg features. Ships and icebergs below the probability threshold are left out and counted. The pixel size turns a detection&apos;s bright area (area_px) into a length where length_m is missing.</source>
        <translation>Schreibt die Eisberge eines Klassifizierungs-Layers (class, iceberg_probability; length_m aus den Detektionen) mit ihrer WMO-Größenklasse (Growler &lt; 5 m, Bergy Bit 5-15 m, klein 15-60 m, mittel 61-120 m, groß 121-200 m, sehr groß &gt; 200 m, aus der horizontalen SAR-Länge) und ihrer Konfidenz als GeoPackage, GeoJSON (WGS 84), Punkt-Shapefile im SIGRID-3-Stil (POINT_TYPE ICEBRG, ICEBSZ) und S-411-GML-Datensatz mit icebrg-Objekten. Schiffe und Eisberge unter der Wahrscheinlichkeitsschwelle werden weggelassen und gezählt. Die Pixelgröße macht aus der hellen Fläche einer Detektion (area_px) eine Länge, wo length_m fehlt.</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="75"/>
        <source>Classification layer</source>
        <translation>Klassifizierungs-Layer</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="77"/>
        <source>Iceberg probability from</source>
        <translation>Eisberg-Wahrscheinlichkeit ab</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="80"/>
        <source>Formats</source>
        <translation>Formate</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="83"/>
        <source>Scene pixel size (m; 0: unknown)</source>
        <translation>Pixelgröße der Szene (m; 0: unbekannt)</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="86"/>
        <source>File name</source>
        <translation>Dateiname</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="87"/>
        <source>Save in folder</source>
        <translation>Im Ordner speichern</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="90"/>
        <source>Icebergs exported</source>
        <translation>Exportierte Eisberge</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="91"/>
        <source>Ships left out</source>
        <translation>Weggelassene Schiffe</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="92"/>
        <source>Icebergs below the threshold</source>
        <translation>Eisberge unter der Schwelle</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="93"/>
        <source>Clutter (no target) left out</source>
        <translation>Weggelassener Clutter (kein Ziel)</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="98"/>
        <source>choose a classification layer</source>
        <translation>wählen Sie einen Klassifizierungs-Layer</translation>
    </message>
</context>
<context>
    <name>IceSightAlgorithm</name>
    <message>
        <location filename="../processing_common.py" line="107"/>
        <source>{layer} is a local raster the backend does not know: upload and ingest it into the backend&apos;s scene catalog first (IceSight &gt; Upload a scene), then {action} the catalog scene</source>
        <translation>{layer} ist ein lokales Raster, das das Backend nicht kennt: laden Sie es zuerst hoch und lesen Sie es in den Szenenkatalog des Backends ein (IceSight &gt; Szene hochladen); dann die Katalogszene {action}</translation>
    </message>
    <message>
        <location filename="../processing_common.py" line="112"/>
        <source>give a catalog scene id or a raster layer of a catalog scene</source>
        <translation>geben Sie eine Katalog-ID einer Szene oder einen Raster-Layer einer Katalogszene an</translation>
    </message>
</context>
<context>
    <name>IceSightDock</name>
    <message>
        <location filename="../dock.py" line="56"/>
        <source>IceSight page</source>
        <translation>IceSight-Seite</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Analyse targets</source>
        <translation>Ziele analysieren</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Review</source>
        <translation>Überprüfen</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>What-if (model analysis)</source>
        <translation>Was-wäre-wenn (Modellanalyse)</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Ice chart</source>
        <translation>Eiskarte</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Scenes</source>
        <translation>Szenen</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Upload a scene</source>
        <translation>Szene hochladen</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Experiments</source>
        <translation>Experimente</translation>
    </message>
</context>
<context>
    <name>IceSightPlugin</name>
    <message>
        <location filename="../plugin.py" line="48"/>
        <source>IceSight panel</source>
        <translation>IceSight-Bedienfeld</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="55"/>
        <source>Classify selected patches</source>
        <translation>Ausgewählte Ausschnitte klassifizieren</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="56"/>
        <source>Explain selected targets</source>
        <translation>Ausgewählte Ziele erklären</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="57"/>
        <source>Map scene (iceberg probability)</source>
        <translation>Szene kartieren (Eisberg-Wahrscheinlichkeit)</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="58"/>
        <source>Scene catalog</source>
        <translation>Szenenkatalog</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="59"/>
        <source>Upload scene</source>
        <translation>Szene hochladen</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="60"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="61"/>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../panels/jobs.py" line="79"/>
        <source>This project&apos;s jobs only</source>
        <translation>Nur Aufträge dieses Projekts</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="89"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="91"/>
        <source>Cancel job</source>
        <translation>Auftrag abbrechen</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="93"/>
        <source>Add results to map again</source>
        <translation>Ergebnisse erneut zur Karte hinzufügen</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="126"/>
        <source>IceSight: list jobs</source>
        <translation>IceSight: Aufträge auflisten</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="139"/>
        <source>Jobs could not be listed: {error}</source>
        <translation>Die Aufträge konnten nicht aufgelistet werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="171"/>
        <source>{n} job(s); this project&apos;s in bold</source>
        <translation>{n} Auftrag/Aufträge; die dieses Projekts fett</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="225"/>
        <source>Choose a job in the list first.</source>
        <translation>Wählen Sie zuerst einen Auftrag in der Liste.</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="202"/>
        <source>Job {job} has already ended ({state}).</source>
        <translation>Auftrag {job} ist bereits beendet ({state}).</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="209"/>
        <source>IceSight: cancel job {job}</source>
        <translation>IceSight: Auftrag {job} abbrechen</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="217"/>
        <source>Job {job} could not be cancelled: {error}</source>
        <translation>Auftrag {job} konnte nicht abgebrochen werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="219"/>
        <source>Job {job} is {state}.</source>
        <translation>Auftrag {job} ist {state}.</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="228"/>
        <source>Job {job} ({kind}, {state}) has no results to put on the map.</source>
        <translation>Auftrag {job} ({kind}, {state}) hat keine Ergebnisse für die Karte.</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="243"/>
        <source>IceSight: results of job {job}</source>
        <translation>IceSight: Ergebnisse von Auftrag {job}</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="253"/>
        <source>The results of job {job} could not be fetched: {error}</source>
        <translation>Die Ergebnisse von Auftrag {job} konnten nicht abgerufen werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="261"/>
        <source>Results of job {job} are on the map again.</source>
        <translation>Die Ergebnisse von Auftrag {job} sind wieder auf der Karte.</translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="238"/>
        <source>The results of job {job} cannot be put on the map: {error}</source>
        <translation>Die Ergebnisse von Auftrag {job} können nicht auf die Karte gebracht werden: {error}</translation>
    </message>
</context>
<context>
    <name>MapSceneAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="308"/>
        <source>Map scene (iceberg probability)</source>
        <translation>Szene kartieren (Eisberg-Wahrscheinlichkeit)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="311"/>
        <source>Runs the model over every pixel of a scene of the backend&apos;s catalog and writes the iceberg probability (0 to 1) as a raster on the scene&apos;s grid. Give the catalog scene id, or a raster layer of a catalog scene (its GeoTIFF carries the scene id). A local raster the backend does not know must be uploaded and ingested first. Pixels below the display threshold are transparent.</source>
        <translation>Wendet das Modell auf jedes Pixel einer Szene aus dem Katalog des Backends an und schreibt die Eisberg-Wahrscheinlichkeit (0 bis 1) als Raster im Raster der Szene. Geben Sie die Katalog-ID der Szene oder einen Raster-Layer einer Katalogszene an (ihr GeoTIFF trägt die Szenen-ID). Ein lokales Raster, das das Backend nicht kennt, muss zuerst hochgeladen und eingelesen werden. Pixel unter der Anzeigeschwelle sind transparent.</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="322"/>
        <source>Catalog scene id</source>
        <translation>Katalog-ID der Szene</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="323"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation>...oder ein Raster-Layer einer Katalogszene</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="326"/>
        <source>Model id (empty: newest)</source>
        <translation>Modell-ID (leer: das neueste)</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="327"/>
        <source>Show probabilities from</source>
        <translation>Wahrscheinlichkeiten anzeigen ab</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="331"/>
        <source>Iceberg probability</source>
        <translation>Eisberg-Wahrscheinlichkeit</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="332"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="335"/>
        <source>map</source>
        <translation>kartieren</translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="345"/>
        <source>Iceberg probability {scene} (job {job})</source>
        <translation>Eisberg-Wahrscheinlichkeit {scene} (Auftrag {job})</translation>
    </message>
</context>
<context>
    <name>ModelAnalysisPanel</name>
    <message>
        <location filename="../panels/analysis_slices.py" line="134"/>
        <source>Reviewed targets</source>
        <translation>Überprüfte Ziele</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="135"/>
        <source>Scene (HH, HV)</source>
        <translation>Szene (HH, HV)</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="144"/>
        <source>Accuracy by slice</source>
        <translation>Genauigkeit nach Teilmenge</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="150"/>
        <source>Slice by</source>
        <translation>Teilmengen nach</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="151"/>
        <source>Compute</source>
        <translation>Berechnen</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Slice</source>
        <translation>Teilmenge</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>n</source>
        <translation>n</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Clutter</source>
        <translation>Clutter</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="158"/>
        <source>Accuracy: the model&apos;s class against targets reviewed as ship or iceberg (one the model called clutter counts as wrong). Targets reviewed as clutter are counted in their own column.</source>
        <translation>Genauigkeit: die Klasse des Modells verglichen mit den als Schiff oder Eisberg überprüften Zielen (eines, das das Modell als Clutter einstufte, zählt als falsch). Als Clutter überprüfte Ziele werden in einer eigenen Spalte gezählt.</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="164"/>
        <source>What if?</source>
        <translation>Was wäre, wenn?</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="166"/>
        <source>Probe selected target</source>
        <translation>Ausgewähltes Ziel untersuchen</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="167"/>
        <source>The iceberg probability with HV or HH at the clutter level (no target in that band) and at other incidence angles</source>
        <translation>Die Eisberg-Wahrscheinlichkeit mit HV oder HH auf Clutter-Niveau (kein Ziel in diesem Band) und bei anderen Einfallswinkeln</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>p(iceberg)</source>
        <translation>p(Eisberg)</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="238"/>
        <source>A probe is still running.</source>
        <translation>Eine Untersuchung läuft noch.</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="242"/>
        <source>Select exactly one target of the classification layer.</source>
        <translation>Wählen Sie genau ein Ziel des Klassifizierungs-Layers aus.</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="252"/>
        <source>The selected target has no position.</source>
        <translation>Das ausgewählte Ziel hat keine Position.</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="259"/>
        <source>Probing feature {fid} of {layer}...</source>
        <translation>Objekt {fid} von {layer} wird untersucht...</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="268"/>
        <source>What-if probe failed: {error}</source>
        <translation>Was-wäre-wenn-Untersuchung fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="276"/>
        <source>What-if probes of feature {fid} of {layer} (model {model}).</source>
        <translation>Was-wäre-wenn-Untersuchungen von Objekt {fid} von {layer} (Modell {model}).</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="215"/>
        <source>IceSight: incidence angles of the reviewed targets</source>
        <translation>IceSight: Einfallswinkel der geprüften Ziele</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="219"/>
        <source>Reading the incidence angles from the scene...</source>
        <translation>Die Einfallswinkel werden aus der Szene gelesen...</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="226"/>
        <source>The incidence angles could not be read from the scene: {error}</source>
        <translation>Die Einfallswinkel konnten nicht aus der Szene gelesen werden: {error}</translation>
    </message>
</context>
<context>
    <name>ModelsPanel</name>
    <message>
        <location filename="../panels/models.py" line="86"/>
        <source>Production model (backend&apos;s choice)</source>
        <translation>Produktionsmodell (Wahl des Backends)</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="88"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="91"/>
        <source>Model for jobs</source>
        <translation>Modell für Aufträge</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="94"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="94"/>
        <source>Model id (the full id is also in the details below)</source>
        <translation>Modell-ID (die vollständige ID steht auch in den Details unten)</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="95"/>
        <source>Production model</source>
        <translation>Produktionsmodell</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="96"/>
        <source>Inputs</source>
        <translation>Eingaben</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="96"/>
        <source>Whether recent inputs drift from the model&apos;s training data</source>
        <translation>Ob neuere Eingaben von den Trainingsdaten des Modells abweichen</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="97"/>
        <source>Validation {metric}</source>
        <translation>Validierung: {metric}</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="115"/>
        <source>Use for jobs</source>
        <translation>Für Aufträge verwenden</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="117"/>
        <source>Set as production</source>
        <translation>Als Produktionsmodell festlegen</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="118"/>
        <source>The model the backend uses when a job names none</source>
        <translation>Das Modell, das das Backend verwendet, wenn ein Auftrag keines nennt</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="134"/>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="135"/>
        <source>with</source>
        <translation>mit</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="174"/>
        <source>IceSight: list the models</source>
        <translation>IceSight: Modelle auflisten</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="177"/>
        <source>Reading the model registry...</source>
        <translation>Die Modellregistrierung wird gelesen...</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="184"/>
        <source>The models could not be listed: {error}</source>
        <translation>Die Modelle konnten nicht aufgelistet werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="213"/>
        <source>{n} model(s) registered</source>
        <translation>{n} Modell(e) registriert</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="235"/>
        <source>Only one model is registered: train or retrain another one to compare them.</source>
        <translation>Es ist nur ein Modell registriert: trainieren Sie ein weiteres oder trainieren Sie neu, um sie zu vergleichen.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="246"/>
        <source>drift</source>
        <translation>Drift</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="251"/>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="251"/>
        <source>Recent inputs look like this model&apos;s training data</source>
        <translation>Neuere Eingaben gleichen den Trainingsdaten dieses Modells</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="253"/>
        <source>Too few predictions yet to tell</source>
        <translation>Noch zu wenige Vorhersagen für eine Aussage</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="254"/>
        <source>No monitoring figures for this model yet</source>
        <translation>Noch keine Überwachungswerte für dieses Modell</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="274"/>
        <source>production model</source>
        <translation>Produktionsmodell</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="274"/>
        <source>not production</source>
        <translation>nicht in Produktion</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="288"/>
        <source>Choose a model in the list first.</source>
        <translation>Wählen Sie zuerst ein Modell in der Liste.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="294"/>
        <source>IceSight: make {model} the production model</source>
        <translation>IceSight: {model} zum Produktionsmodell machen</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="303"/>
        <source>The production model could not be changed: {error}</source>
        <translation>Das Produktionsmodell konnte nicht geändert werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="305"/>
        <source>{model} is now the production model.</source>
        <translation>{model} ist jetzt das Produktionsmodell.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="313"/>
        <source>Choose two different models to compare.</source>
        <translation>Wählen Sie zwei verschiedene Modelle zum Vergleichen.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="319"/>
        <source>IceSight: compare {a} and {b}</source>
        <translation>IceSight: {a} und {b} vergleichen</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="328"/>
        <source>The models could not be compared: {error}</source>
        <translation>Die Modelle konnten nicht verglichen werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="335"/>
        <source>Difference</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="343"/>
        <source>Trained on the same dataset: validation metrics compare fairly.</source>
        <translation>Mit demselben Datensatz trainiert: die Validierungsmetriken sind fair vergleichbar.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="343"/>
        <source>Different training data: the validation metrics were measured on different sets.</source>
        <translation>Unterschiedliche Trainingsdaten: die Validierungsmetriken wurden auf verschiedenen Mengen gemessen.</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="246"/>
        <source>Recent inputs differ from this model&apos;s training data in: {names} (population stability index over {limit:g}); check the scenes&apos; calibration and product type (looks, resolution), or retrain on such data</source>
        <translation>Neuere Eingaben weichen von den Trainingsdaten dieses Modells ab in: {names} (Population Stability Index über {limit:g}); prüfen Sie die Kalibrierung und den Produkttyp der Szenen (Looks, Auflösung) oder trainieren Sie mit solchen Daten neu</translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="278"/>
        <source>validation:</source>
        <translation>Validierung:</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <location filename="../panels/base.py" line="90"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>PrintIceChartAlgorithm</name>
    <message>
        <location filename="../chart_algorithms.py" line="133"/>
        <source>Print ice chart</source>
        <translation>Eiskarte drucken</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="136"/>
        <source>Prints the ice chart of a classification layer over its scene: map, legend, scale bar, north arrow, title, the scene&apos;s acquisition date (given, or from the project&apos;s catalog footprints; else &apos;unknown&apos;), the model and the date of production, to PDF and PNG (A4 landscape). Runs on the main thread, as QGIS&apos;s own layout exports do.</source>
        <translation>Druckt die Eiskarte eines Klassifizierungs-Layers über seiner Szene: Karte, Legende, Maßstabsleiste, Nordpfeil, Titel, Aufnahmedatum der Szene (angegeben oder aus den Katalog-Footprints des Projekts; sonst „unbekannt“), Modell und Erstellungsdatum, als PDF und PNG (A4 quer). Läuft im Haupt-Thread, wie die Layout-Exporte von QGIS selbst.</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="150"/>
        <source>Classification layer</source>
        <translation>Klassifizierungs-Layer</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="152"/>
        <source>Scene</source>
        <translation>Szene</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="153"/>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="154"/>
        <source>Acquisition date (empty: from the catalog)</source>
        <translation>Aufnahmedatum (leer: aus dem Katalog)</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="156"/>
        <source>Chart (PDF)</source>
        <translation>Karte (PDF)</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="157"/>
        <source>Chart (PNG)</source>
        <translation>Karte (PNG)</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="158"/>
        <source>Seconds to build and export</source>
        <translation>Sekunden für Aufbau und Export</translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="164"/>
        <source>choose a classification layer</source>
        <translation>wählen Sie einen Klassifizierungs-Layer</translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <location filename="../panels/review.py" line="104"/>
        <source>Most uncertain first</source>
        <translation>Unsicherste zuerst</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="108"/>
        <source>Classified targets</source>
        <translation>Klassifizierte Ziele</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="109"/>
        <source>Scene (HH, HV)</source>
        <translation>Szene (HH, HV)</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="110"/>
        <source>Start review</source>
        <translation>Überprüfung starten</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="113"/>
        <source>Click Start review, then use the keys below on this panel.</source>
        <translation>Klicken Sie auf Überprüfung starten und verwenden Sie dann die Tasten unten in diesem Bedienfeld.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="117"/>
        <source>Ship</source>
        <translation>Schiff</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="118"/>
        <source>Iceberg</source>
        <translation>Eisberg</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="119"/>
        <source>Clutter</source>
        <translation>Clutter</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="120"/>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="121"/>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="138"/>
        <source>Correct and retrain</source>
        <translation>Korrigieren und neu trainieren</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="141"/>
        <source>Feature group: lower-case letters, digits and _</source>
        <translation>Feature-Gruppe: Kleinbuchstaben, Ziffern und _</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="145"/>
        <source>Feature group</source>
        <translation>Feature-Gruppe</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="146"/>
        <source>Retraining epochs</source>
        <translation>Epochen für das Neutraining</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="150"/>
        <source>Send corrections</source>
        <translation>Korrekturen senden</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>Old model</source>
        <translation>Altes Modell</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>New model</source>
        <translation>Neues Modell</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="180"/>
        <source>Pick an IceSight classification layer: it has the reviewed_class field.</source>
        <translation>Wählen Sie einen IceSight-Klassifizierungs-Layer: er hat das Feld reviewed_class.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="189"/>
        <source>{layer} has no target to review.</source>
        <translation>{layer} hat kein Ziel zum Überprüfen.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="303"/>
        <source>Start the review first.</source>
        <translation>Starten Sie zuerst die Überprüfung.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="341"/>
        <source>Target {k} of {n} ({done} reviewed)</source>
        <translation>Ziel {k} von {n} ({done} überprüft)</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="344"/>
        <source>model: {cls}</source>
        <translation>Modell: {cls}</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="346"/>
        <source>reviewed: {r}</source>
        <translation>überprüft: {r}</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="398"/>
        <source>{what} cancelled.</source>
        <translation>{what} abgebrochen.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="401"/>
        <source>{what} failed: {error}</source>
        <translation>{what} fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="458"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation>IceSight arbeitet noch an einem Auftrag; warten Sie oder brechen Sie ihn ab.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="422"/>
        <source>No target is reviewed yet.</source>
        <translation>Noch kein Ziel ist überprüft.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="428"/>
        <source>Sending {n} corrections ({s} ship(s), {b} iceberg(s), {c} clutter)...</source>
        <translation>{n} Korrekturen werden gesendet ({s} Schiff(e), {b} Eisberg(e), {c} Clutter)...</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="432"/>
        <source>Sending corrections</source>
        <translation>Korrekturen werden gesendet</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="436"/>
        <source>Feature group {group} v{version}: {sent} corrections added{base}; it holds {n} patches ({s} ship(s), {b} iceberg(s), {c} clutter){skipped}.</source>
        <translation>Feature-Gruppe {group} v{version}: {sent} Korrekturen hinzugefügt{base}; sie enthält {n} Ausschnitte ({s} Schiff(e), {b} Eisberg(e), {c} Clutter){skipped}.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="439"/>
        <source> to v{v}</source>
        <translation> zu v{v}</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="444"/>
        <source>Retrain a model on feature group {group} v{version} and compare it with the model that made these calls?</source>
        <translation>Ein Modell mit Feature-Gruppe {group} v{version} neu trainieren und mit dem Modell vergleichen, das diese Entscheidungen getroffen hat?</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="450"/>
        <source>IceSight: retrain?</source>
        <translation>IceSight: neu trainieren?</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="464"/>
        <source>Retraining on {group} v{version}...</source>
        <translation>Neutraining mit {group} v{version}...</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="467"/>
        <source>Retraining</source>
        <translation>Neutraining</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="472"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="473"/>
        <source>Model {new} trained on {name} v{version} (validation accuracy {acc:.3f}); compared with {old} below.</source>
        <translation>Modell {new} mit {name} v{version} trainiert (Validierungsgenauigkeit {acc:.3f}); unten mit {old} verglichen.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="147"/>
        <source>Reviewed targets are sent with their patches as ship, iceberg or clutter (no target) and added to the feature group&apos;s newest version.</source>
        <translation>Überprüfte Ziele werden mit ihren Ausschnitten als Schiff, Eisberg oder Clutter (kein Ziel) gesendet und der neuesten Version der Feature-Gruppe hinzugefügt.</translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="439"/>
        <source>; {n} off the scene</source>
        <translation>; {n} außerhalb der Szene</translation>
    </message>
</context>
<context>
    <name>SceneBrowserPanel</name>
    <message>
        <location filename="../panels/scene_browser.py" line="68"/>
        <source>Any mode</source>
        <translation>Jeder Modus</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="71"/>
        <source>Over the map extent only</source>
        <translation>Nur in der Kartenausdehnung</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="72"/>
        <source>Only scenes whose footprint touches the current map extent</source>
        <translation>Nur Szenen, deren Footprint die aktuelle Kartenausdehnung berührt</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="74"/>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="75"/>
        <source>To</source>
        <translation>Bis</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="78"/>
        <source>Search the catalog</source>
        <translation>Katalog durchsuchen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Scene</source>
        <translation>Szene</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Acquired</source>
        <translation>Aufgenommen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="87"/>
        <source>Add scene</source>
        <translation>Szene hinzufügen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="88"/>
        <source>Stream the chosen scene from the backend onto the map</source>
        <translation>Die gewählte Szene vom Backend auf die Karte streamen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="90"/>
        <source>Detect targets</source>
        <translation>Ziele erkennen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="91"/>
        <source>Find bright targets on the chosen scene (CFAR) and load them</source>
        <translation>Helle Ziele in der gewählten Szene finden (CFAR) und laden</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="107"/>
        <source>any time</source>
        <translation>jederzeit</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="155"/>
        <source>IceSight: search the scene catalog</source>
        <translation>IceSight: Szenenkatalog durchsuchen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="159"/>
        <source>Searching the catalog...</source>
        <translation>Der Katalog wird durchsucht...</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="165"/>
        <source>Search failed: {error}</source>
        <translation>Suche fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="166"/>
        <source>The scene catalog could not be searched: {error}</source>
        <translation>Der Szenenkatalog konnte nicht durchsucht werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="180"/>
        <source>{n} scene(s) found</source>
        <translation>{n} Szene(n) gefunden</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="242"/>
        <source>Search the catalog and choose a scene first.</source>
        <translation>Durchsuchen Sie zuerst den Katalog und wählen Sie eine Szene.</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="219"/>
        <source>IceSight: add scene {scene}</source>
        <translation>IceSight: Szene {scene} hinzufügen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="223"/>
        <source>Opening scene {scene}...</source>
        <translation>Szene {scene} wird geöffnet...</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="231"/>
        <source>The scene could not be added: {error}</source>
        <translation>Die Szene konnte nicht hinzugefügt werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="234"/>
        <source>Scene {scene} added (styles: HH, HV, incidence)</source>
        <translation>Szene {scene} hinzugefügt (Stile: HH, HV, Einfallswinkel)</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="248"/>
        <source>Target detection is still running; wait for it.</source>
        <translation>Die Zielerkennung läuft noch; bitte warten.</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="252"/>
        <source>IceSight: detect targets on {scene}</source>
        <translation>IceSight: Ziele in {scene} erkennen</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="258"/>
        <source>Detecting targets on {scene}...</source>
        <translation>Ziele in {scene} werden erkannt...</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="265"/>
        <source>Detection failed: {error}</source>
        <translation>Erkennung fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="266"/>
        <source>Target detection failed: {error}</source>
        <translation>Zielerkennung fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="273"/>
        <source>{n} target(s) detected on {scene} (job {job})</source>
        <translation>{n} Ziel(e) in {scene} erkannt (Auftrag {job})</translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="213"/>
        <source>The scene cannot be streamed: {error}</source>
        <translation>Die Szene kann nicht gestreamt werden: {error}</translation>
    </message>
</context>
<context>
    <name>SliceChart</name>
    <message>
        <location filename="../panels/analysis_slices.py" line="96"/>
        <source>accuracy (n reviewed ship/iceberg)</source>
        <translation>Genauigkeit (n überprüfte Schiffe/Eisberge)</translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="99"/>
        <source>no reviewed target</source>
        <translation>kein überprüftes Ziel</translation>
    </message>
</context>
<context>
    <name>TrainingCurveChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="237"/>
        <source>train</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="238"/>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="240"/>
        <source>best epoch</source>
        <translation>beste Epoche</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="314"/>
        <source>log loss per epoch</source>
        <translation>Log-Loss je Epoche</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="318"/>
        <source>validation accuracy</source>
        <translation>Validierungsgenauigkeit</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="321"/>
        <source>no training run yet</source>
        <translation>noch kein Trainingslauf</translation>
    </message>
</context>
<context>
    <name>TrialChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="399"/>
        <source>complete</source>
        <translation>abgeschlossen</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="400"/>
        <source>best</source>
        <translation>bester</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="401"/>
        <source>pruned</source>
        <translation>vorzeitig beendet</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="402"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="406"/>
        <source>no loss</source>
        <translation>kein Loss</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="458"/>
        <source>validation log loss by trial</source>
        <translation>Validierungs-Log-Loss je Versuch</translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="463"/>
        <source>no search yet</source>
        <translation>noch keine Suche</translation>
    </message>
</context>
<context>
    <name>UploadPanel</name>
    <message>
        <location filename="../panels/upload.py" line="39"/>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="44"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="48"/>
        <source>made from the file</source>
        <translation>aus der Datei erzeugt</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="49"/>
        <source>Upload and ingest</source>
        <translation>Hochladen und einlesen</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="51"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="58"/>
        <source>Scene file</source>
        <translation>Szenendatei</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="59"/>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="60"/>
        <source>Acquired (UTC)</source>
        <translation>Aufgenommen (UTC)</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="61"/>
        <source>Scene id</source>
        <translation>Szenen-ID</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="74"/>
        <source>An upload is still running; wait for it or cancel it.</source>
        <translation>Ein Hochladen läuft noch; warten Sie oder brechen Sie es ab.</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="85"/>
        <source>IceSight: upload {name}</source>
        <translation>IceSight: {name} hochladen</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="97"/>
        <source>Uploading {name}...</source>
        <translation>{name} wird hochgeladen...</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="109"/>
        <source>Upload cancelled.</source>
        <translation>Hochladen abgebrochen.</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="111"/>
        <source>Upload failed: {error}</source>
        <translation>Hochladen fehlgeschlagen: {error}</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="112"/>
        <source>The scene could not be uploaded: {error}</source>
        <translation>Die Szene konnte nicht hochgeladen werden: {error}</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="117"/>
        <source>Scene {scene} is in the catalog (job {job}): {w} x {h} px at {px:g} m</source>
        <translation>Szene {scene} ist im Katalog (Auftrag {job}): {w} x {h} px bei {px:g} m</translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="78"/>
        <source>Choose a scene file (GeoTIFF, COG, zipped Sentinel-1 SAFE or SNAP BEAM-DIMAP) first.</source>
        <translation>Wählen Sie zuerst eine Szenendatei (GeoTIFF, COG, gezipptes Sentinel-1-SAFE oder SNAP-BEAM-DIMAP).</translation>
    </message>
</context>
<context>
    <name>UploadSceneAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="137"/>
        <source>Upload a scene</source>
        <translation>Szene hochladen</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="157"/>
        <source>Catalog scene</source>
        <translation>Katalogszene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="158"/>
        <source>Catalog scene id</source>
        <translation>Katalog-ID der Szene</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="159"/>
        <source>Backend job id</source>
        <translation>Auftrags-ID im Backend</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="170"/>
        <source>choose the scene file to upload</source>
        <translation>wählen Sie die hochzuladende Szenendatei</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="182"/>
        <source>opening and styling the catalog scene</source>
        <translation>die Katalogszene wird geöffnet und gestylt</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="140"/>
        <source>Sends a local Sentinel-1 scene (GeoTIFF/COG of calibrated sigma0 with HH, HV and optionally the incidence angle, a zipped SAFE GRD product, or a calibrated, terrain-corrected SNAP BEAM-DIMAP product, its .dim with the .data folder beside it) to the IceSight backend, which checks it and ingests it into its scene catalog. The catalog scene is then streamed onto the map, grey HH in dB, with HV and incidence as extra styles. Mode and acquisition time are read from the file when left empty.</source>
        <translation>Sendet eine lokale Sentinel-1-Szene (GeoTIFF/COG mit kalibriertem sigma0 mit HH, HV und optional dem Einfallswinkel, ein gezipptes SAFE-GRD-Produkt oder ein kalibriertes, geländekorrigiertes SNAP-BEAM-DIMAP-Produkt, seine .dim-Datei mit dem .data-Ordner daneben) an das IceSight-Backend, das sie prüft und in seinen Szenenkatalog einliest. Die Katalogszene wird dann auf die Karte gestreamt, HH in dB als Graustufen, mit HV und Einfallswinkel als zusätzlichen Stilen. Modus und Aufnahmezeit werden aus der Datei gelesen, wenn sie leer bleiben.</translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="153"/>
        <source>Scene file (GeoTIFF/COG, zipped SAFE or SNAP .dim)</source>
        <translation>Szenendatei (GeoTIFF/COG, gezipptes SAFE oder SNAP-.dim)</translation>
    </message>
</context>
<context>
    <name>algorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="105"/>
        <source>the land polygons layer has no polygon</source>
        <translation>der Layer der Landpolygone enthält kein Polygon</translation>
    </message>
</context>
</TS>
