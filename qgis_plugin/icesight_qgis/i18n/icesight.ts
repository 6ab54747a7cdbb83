<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>@default</name>
    <message>
        <location filename="../scene_algorithms.py" line="59"/>
        <source>Acquisition mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="59"/>
        <source>from the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="65"/>
        <source>Acquisition time, ISO 8601 (empty: from the file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="23"/>
        <source>Icebergs from Sentinel-1 (IceSight)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="29"/>
        <source>GeoPackage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="30"/>
        <source>GeoJSON (WGS 84)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="31"/>
        <source>SIGRID-3 (shapefile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_export.py" line="32"/>
        <source>S-411 GML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="192"/>
        <source>Attribution (HH + HV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="193"/>
        <source>towards ship</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="194"/>
        <source>no influence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="195"/>
        <source>towards iceberg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="34"/>
        <source>Elapsed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>Log loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>Accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="24"/>
        <source>ROC AUC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="30"/>
        <source>ECE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="29"/>
        <source>LL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="29"/>
        <source>Acc</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="30"/>
        <source>AUC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../slices.py" line="45"/>
        <source>incidence angle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../slices.py" line="46"/>
        <source>target length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../slices.py" line="47"/>
        <source>open water / sea ice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="75"/>
        <source>Leave out land (the backend&apos;s built-in mask: GLOBE, about 1 km cells)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="78"/>
        <source>Land polygons of your own (e.g. a detailed coastline), also left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="81"/>
        <source>Land buffer, seaward (m)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_layers.py" line="217"/>
        <source>Land left out {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="65"/>
        <source>Acquired: {acquired}    Model: {model}    Produced: {produced}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="66"/>
        <source>Iceberg sizes: WMO length classes from the horizontal SAR length (not the height that defines growlers and bergy bits)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_layout.py" line="181"/>
        <source>Legend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="123"/>
        <source>Targets (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="258"/>
        <source>Explanations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="264"/>
        <source>all targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="265"/>
        <source>Heatmap {target}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../layers.py" line="278"/>
        <source>Iceberg probability {scene}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_layers.py" line="244"/>
        <source>Detections {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AblationChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="521"/>
        <source>change of validation log loss without each component</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="583"/>
        <source>no ablation study yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddToFeatureGroupAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="169"/>
        <source>Add labelled targets to a feature group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="172"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene and stores the patches, with the analyst&apos;s labels, as a new version of a feature group on the IceSight backend (validated; positions kept, so the version is GeoParquet). The label field holds ship, iceberg or clutter (or 0 / 1); empty values are stored unlabelled. STRICT refuses the whole insert if any patch fails a rule; WARNING stores the sound ones and reports the rest. Train on it with a training dataset of that version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="184"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="185"/>
        <source>Labelled targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="186"/>
        <source>Label field (ship / iceberg / clutter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="187"/>
        <source>Feature group (lower-case letters, digits, _)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="188"/>
        <source>Validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="189"/>
        <source>Third channel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="190"/>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="191"/>
        <source>Feature group version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="192"/>
        <source>Patches stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="193"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnalysisPanel</name>
    <message>
        <location filename="../panels/analysis.py" line="49"/>
        <source>Selected targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="56"/>
        <source>Scene (HH, HV[, incidence])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="57"/>
        <source>Targets (points)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="58"/>
        <source>Classify selected patches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="61"/>
        <source>Explain selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="63"/>
        <source>Attribution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="68"/>
        <source>Whole scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="74"/>
        <source>Pixels with a lower iceberg probability are transparent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="76"/>
        <source>Map scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="77"/>
        <source>Iceberg probability of every pixel of the chosen catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="79"/>
        <source>Show probability from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="113"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="128"/>
        <source>Pick a point layer of targets, then select the targets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="132"/>
        <source>No targets selected in {layer}: select some with the selection tool first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="159"/>
        <source>{what} cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="161"/>
        <source>{what} failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="165"/>
        <source> ({n} target(s) off the scene skipped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="178"/>
        <source>Classifying {n} target(s)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="181"/>
        <source>Classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="189"/>
        <source>Job {job}: {ships} ship(s), {bergs} iceberg(s) (model {model}){note}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="206"/>
        <source>Explaining {n} target(s) with {method}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="214"/>
        <source>Explanation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="221"/>
        <source>Job {job}: {n} decision(s) explained ({method}, model {model}){note}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="235"/>
        <source>{scene} is a local raster the backend does not know: upload and ingest it into the backend&apos;s scene catalog first (POST /uploads, then an ingest_scene job), then load the catalog scene and map it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="245"/>
        <source>Mapping scene {scene}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="248"/>
        <source>Scene map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis.py" line="255"/>
        <source>Job {job}: {share:.1%} of scene {scene} looks like iceberg (model {model})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../panels/chart.py" line="57"/>
        <source>Classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="67"/>
        <source>Icebergs with a lower iceberg probability are left off the chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="69"/>
        <source>Classification layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="70"/>
        <source>Optional: the chart&apos;s map background, its pixel size (a length for bergs known only by their bright area) and its catalog id (the acquisition date)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="73"/>
        <source>Scene (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="74"/>
        <source>Iceberg probability from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="78"/>
        <source>Export icebergs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="91"/>
        <source>Save in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="92"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="98"/>
        <source>Print chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="101"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="102"/>
        <source>Print (PDF and PNG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="116"/>
        <source>Pick a classification layer (points with class and iceberg_probability).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="135"/>
        <source>The last export is still being written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="142"/>
        <source>Tick at least one format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="160"/>
        <source>Writing {n} iceberg(s)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="168"/>
        <source>Export failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="172"/>
        <source>{n} iceberg(s) written to {folder}; left out: {ships} ship(s), {clutter} clutter (no target), {low} below probability {threshold}, {other} unclassified or without position.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="236"/>
        <source>Chart printed to {pdf} and {png} ({seconds:.2f} s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="90"/>
        <source>next to the project (or the results folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="192"/>
        <source>The chart is still being printed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="196"/>
        <source>IceSight: copy the scene for the chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="200"/>
        <source>Reading the scene for the chart...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="209"/>
        <source>The chart could not be printed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/chart.py" line="214"/>
        <source>The chart was not printed: its layer or scene left the project meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChartSceneAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="275"/>
        <source>Chart a scene (detect, classify, explain)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="278"/>
        <source>The backend&apos;s whole chain in one job: a catalog scene (its id or a raster layer of it), or a local scene file uploaded and ingested first, is searched for targets (CFAR), every detection is classified ship, iceberg or clutter, and the least certain calls are explained. Writes the classified targets, styled and ready for review and the ice chart. Stages whose inputs did not change since an earlier run are reused, so charting a scene again is quick.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="306"/>
        <source>Catalog scene id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="291"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="298"/>
        <source>Model id (empty: the production model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="300"/>
        <source>Explain the least certain calls (how many)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="304"/>
        <source>Classified targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="307"/>
        <source>Detections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="308"/>
        <source>Ships</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="309"/>
        <source>Icebergs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="310"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="316"/>
        <source>chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="318"/>
        <source>the scene file {path} does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="335"/>
        <source>Targets {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="293"/>
        <source>...or a local scene file to upload (GeoTIFF/COG, zipped SAFE or SNAP .dim)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ClassifyPatchesAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="106"/>
        <source>Classify targets as ship or iceberg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="109"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene (bands: HH, HV sigma0, optional incidence angle), classifies the patches on the IceSight backend and writes a GeoPackage of targets with class and iceberg probability. Uses the backend URL and token saved in the IceSight dock. Tick &apos;Selected features only&apos; on the targets to classify a selection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="120"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="121"/>
        <source>Targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="124"/>
        <source>Model id (empty: newest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="125"/>
        <source>Classified targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="128"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="146"/>
        <source>Targets (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionPanel</name>
    <message>
        <location filename="../panels/connection.py" line="31"/>
        <source>token from the backend&apos;s config folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="33"/>
        <source>How long to wait for the backend to accept a connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="35"/>
        <source>How long to wait for each answer of the backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="39"/>
        <source>next to the saved project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="41"/>
        <source>Save and test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="44"/>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="45"/>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="46"/>
        <source>Connect timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="47"/>
        <source>Answer timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="48"/>
        <source>Results folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="59"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="72"/>
        <source>IceSight: test the backend connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="74"/>
        <source>Testing the connection to {url}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="82"/>
        <source>Not connected: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="83"/>
        <source>IceSight backend not usable: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="86"/>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="86"/>
        <source>CPU only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="87"/>
        <source>none set (jobs use the newest model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/connection.py" line="88"/>
        <source>Connected to IceSight {version} (API {api}).
{workers} worker(s), {threads} threads, {gpu}.
Queue: {queued} job(s) waiting, {running} running.
Production model: {production}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DetectTargetsAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="209"/>
        <source>Detect targets (CFAR)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="225"/>
        <source>Catalog scene id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="226"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="231"/>
        <source>Detections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="233"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="236"/>
        <source>detect targets on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="246"/>
        <source>Detections {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="232"/>
        <source>Share of the scene left out as land (-1: none asked for)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="212"/>
        <source>Finds the bright targets of a catalog scene on the IceSight backend (K-distribution CFAR, sea-ice aware) and writes one point per detection with its area, length and co-/cross-pol sigma0. Give the catalog scene id or a raster layer of a catalog scene; a local raster must be uploaded first. Land is left out (nothing is detected on it and it enters no background window): the backend&apos;s built-in mask, your own land polygons, or both, grown seaward by the buffer; the land left out is loaded as a half-transparent khaki layer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExperimentsPanel</name>
    <message>
        <location filename="../panels/experiments.py" line="278"/>
        <source>Training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="281"/>
        <source>A training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="282"/>
        <source>Simulated patches (training only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="284"/>
        <source>Train on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="290"/>
        <source>Training dataset and version: a seeded split of a feature group version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="294"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="295"/>
        <source>Refresh: list the backend&apos;s training datasets and feature groups again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="301"/>
        <source>Training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="306"/>
        <source>The fold that validates; the other folds train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="307"/>
        <source>Validation fold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="321"/>
        <source>Labelled patches drawn from the scene simulator&apos;s ship, iceberg and clutter models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="325"/>
        <source>Simulated patches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="326"/>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="332"/>
        <source>New training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="336"/>
        <source>The feature group version to split into training and validation parts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="338"/>
        <source>Feature group version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="340"/>
        <source>Lower-case letters, digits and _, starting with a letter; a name that exists gets a new version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="343"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="352"/>
        <source>Share held out first, to score the models trained on the dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="363"/>
        <source>Validation share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="364"/>
        <source>Held-out test share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="365"/>
        <source>Make training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="372"/>
        <source>Experiment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="375"/>
        <source>Train a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="376"/>
        <source>Search hyper-parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="377"/>
        <source>Ablation study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="453"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="381"/>
        <source>LeNet (small, quick)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="382"/>
        <source>Reference CNN (larger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="384"/>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="659"/>
        <source>Epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="400"/>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="401"/>
        <source>Batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="419"/>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="420"/>
        <source>Trials trained at the same time on the backend&apos;s Dask workers; automatic: as many as the workers have threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="422"/>
        <source>Trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="423"/>
        <source>Trials at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="440"/>
        <source>Each ticked component is left out of one model trained like the full one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="444"/>
        <source>Each configuration is trained with this many seeds; a change smaller than their spread is noise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="446"/>
        <source>Leave out, one at a time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="447"/>
        <source>Seeds per configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="455"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="560"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="562"/>
        <source>Run an experiment to see its results here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Trial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Val. log loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="569"/>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Log loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="577"/>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="579"/>
        <source>Right of 0 (blue): the model is worse without the component, so the component helps; left of 0 (orange): the model does better without it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="586"/>
        <source>Use for classification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="587"/>
        <source>Classify, explain and map scenes with this model (see the Models page)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="607"/>
        <source>training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="607"/>
        <source>feature group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="608"/>
        <source>name of the training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="608"/>
        <source>epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="609"/>
        <source>learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="609"/>
        <source>batch size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="610"/>
        <source>number of trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="610"/>
        <source>trials at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="611"/>
        <source>components to leave out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="611"/>
        <source>seeds per configuration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="612"/>
        <source>validation share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="612"/>
        <source>held-out test share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="613"/>
        <source>simulated patches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="614"/>
        <source>network geometry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="614"/>
        <source>hyper-parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="624"/>
        <source>nothing (full model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="624"/>
        <source>cross-pol band (HV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="625"/>
        <source>derived third channel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="627"/>
        <source>dense layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="631"/>
        <source>convolution block {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="635"/>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="635"/>
        <source>The hyper-parameter search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="636"/>
        <source>The ablation study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="636"/>
        <source>Making the training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="637"/>
        <source>The job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="659"/>
        <source>Epochs per trial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="714"/>
        <source>choose one (Refresh lists them), or make one from a feature group version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="732"/>
        <source>searches and ablation studies run on a training dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="742"/>
        <source>tick at least one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="755"/>
        <source>Searches and ablation studies run on a training dataset: choose one under Training data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="757"/>
        <source>Choose a training dataset (Refresh lists them), make one from a feature group version, or train on simulated patches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="782"/>
        <source>IceSight: list training datasets and feature groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="786"/>
        <source>Reading the feature store...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="795"/>
        <source>The training datasets could not be listed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="815"/>
        <source>{group} v{version} ({n} labelled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="826"/>
        <source>There is no training dataset yet: make one from a feature group version below, or train on simulated patches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="829"/>
        <source>There is no training dataset and no feature group yet: send reviewed targets (Review page) or add labelled targets with the Processing algorithm to make a feature group, or train on simulated patches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="838"/>
        <source>No training dataset listed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="845"/>
        <source>From feature group {group} v{version}; patches per part: {parts}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="888"/>
        <source>{what} was cancelled; the backend stopped job {job}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="888"/>
        <source>{what} was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="892"/>
        <source>{what} failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="899"/>
        <source>Cancelling...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="940"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="918"/>
        <source>{n} simulated patches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="922"/>
        <source>Training a model on {source}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="923"/>
        <source>Searching hyper-parameters on {source}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="924"/>
        <source>Running an ablation study on {source}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="944"/>
        <source>Choose a feature group version first (Refresh lists them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="955"/>
        <source>Making training dataset {name} from {group} v{version}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="966"/>
        <source>Training dataset {name} v{version} made from {group} v{group_version}; patches per part: {parts}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="993"/>
        <source>Model {model}: {epochs} epoch(s), the weights of epoch {best} kept; validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="999"/>
        <source>Held-out test part ({n} patches): log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1011"/>
        <source>{complete} complete, {pruned} pruned and {failed} failed of {n} trial(s), {parallel} at a time. Best: trial {best}, validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1016"/>
        <source>Its model is registered as {model}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1016"/>
        <source>Its model was not registered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>pruned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1022"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1023"/>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1069"/>
        <source>{n} parameters, {epochs} epoch(s), {repeats} seed(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1074"/>
        <source>{n} component(s) left out one at a time, {parallel} trial(s) at a time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1077"/>
        <source>Full model: validation log loss {loss:.3f}, accuracy {accuracy:.1%}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1081"/>
        <source>Without {component} the model does worst.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1090"/>
        <source>This result has no model to use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1093"/>
        <source>Classification, explanation and scene maps now use model {model}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="626"/>
        <source>incidence angle input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="356"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="357"/>
        <source>none: one training and one validation part. Otherwise what is not held out is split into this many folds; each fold validates once while the others train (cross-validation), the fold being chosen under Training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="362"/>
        <source>Folds (cross-validation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="404"/>
        <source> epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="405"/>
        <source>Early stopping: training ends when the validation log loss has not improved for this many epochs; the best epoch&apos;s weights are kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="409"/>
        <source>Early-stopping patience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="424"/>
        <source>Prune poor trials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="425"/>
        <source>Stop a trial early when it does worse than the median of the trials before it at the same epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="430"/>
        <source>Each trial draws a learning rate, batch size, dropout, kernel size and filter widths from the search space. The best trial&apos;s model is registered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="470"/>
        <source>Search space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="474"/>
        <source>Learning rates are drawn on a log scale between these two</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="475"/>
        <source>Learning rate range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="477"/>
        <source>Dropout range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="479"/>
        <source>Batch sizes to choose from, separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="480"/>
        <source>Batch sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="482"/>
        <source>Convolution kernel sizes to choose from (odd numbers), separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="484"/>
        <source>Kernel sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="486"/>
        <source>Max-pooling sizes to choose from, separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="487"/>
        <source>Pool sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="489"/>
        <source>half, normal and double width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="490"/>
        <source>Filter counts of the convolution blocks, one number per block; alternatives separated by &apos;;&apos; (e.g. 16 32 48; 32 64 96). Empty: the architecture&apos;s filters at half, normal and double width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="493"/>
        <source>Filter widths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="494"/>
        <source>Defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="495"/>
        <source>Put the default search space back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="517"/>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="536"/>
        <source>write whole numbers separated by commas, e.g. 32, 64</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="552"/>
        <source>write one filter count per convolution block, alternatives separated by &apos;;&apos; (e.g. 16 32 48; 32 64 96)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="615"/>
        <source>early-stopping patience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="615"/>
        <source>number of folds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="616"/>
        <source>search space</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="616"/>
        <source>learning-rate range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="617"/>
        <source>dropout range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="617"/>
        <source>batch sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="618"/>
        <source>kernel sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="618"/>
        <source>pool sizes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="619"/>
        <source>filter widths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="663"/>
        <source>The search draws this for each trial (see Search space)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiments.py" line="1002"/>
        <source>Warning: validation ROC AUC {auc:.2f}, so this model separates ships from icebergs only weakly. Train on more patches or for more epochs before using it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExplainTargetsAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="236"/>
        <source>Explain targets (why ship or iceberg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="239"/>
        <source>Cuts a 75 x 75 patch around each target point from the scene and asks the IceSight backend why the model calls it ship or iceberg (Captum attributions). Outputs: one raster of attribution heatmaps on the patch footprints (bands: total, HH, HV, in probability units; red pushes towards iceberg, blue towards ship; empty between targets) and one point per target with the HH and HV shares of the decision, the incidence angle&apos;s part and the offset of the most telling region. Tick &apos;Selected features only&apos; on the targets to explain a selection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="252"/>
        <source>Scene raster (HH, HV[, incidence])</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="253"/>
        <source>Targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="256"/>
        <source>Attribution method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="260"/>
        <source>Model id (empty: newest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="261"/>
        <source>Attribution heatmaps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="262"/>
        <source>Explanations (per target)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="265"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="285"/>
        <source>the backend returned no heatmap (were the patches georeferenced?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="289"/>
        <source>Heatmaps ({method}, job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="291"/>
        <source>Explanations ({method}, job {job})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportIcebergsAlgorithm</name>
    <message>
        <location filename="../chart_algorithms.py" line="58"/>
        <source>Export icebergs for the ice chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="61"/>
        <source>Writes the icebergs of a classification layer (class, iceberg_probability; length_m from the detections) with their WMO size class (growler &lt; 5 m, bergy bit 5-15 m, small 15-60 m, medium 61-120 m, large 121-200 m, very large &gt; 200 m, from the horizontal SAR length) and confidence, as GeoPackage, GeoJSON (WGS 84), a SIGRID-3 style point shapefile (POINT_TYPE ICEBRG, ICEBSZ) and an S-411 GML dataset of icebrg features. Ships and icebergs below the probability threshold are left out and counted. The pixel size turns a detection&apos;s bright area (area_px) into a length where length_m is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="75"/>
        <source>Classification layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="77"/>
        <source>Iceberg probability from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="80"/>
        <source>Formats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="83"/>
        <source>Scene pixel size (m; 0: unknown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="86"/>
        <source>File name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="87"/>
        <source>Save in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="90"/>
        <source>Icebergs exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="91"/>
        <source>Ships left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="92"/>
        <source>Icebergs below the threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="93"/>
        <source>Clutter (no target) left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="98"/>
        <source>choose a classification layer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IceSightAlgorithm</name>
    <message>
        <location filename="../processing_common.py" line="107"/>
        <source>{layer} is a local raster the backend does not know: upload and ingest it into the backend&apos;s scene catalog first (IceSight &gt; Upload a scene), then {action} the catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_common.py" line="112"/>
        <source>give a catalog scene id or a raster layer of a catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IceSightDock</name>
    <message>
        <location filename="../dock.py" line="56"/>
        <source>IceSight page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Analyse targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>What-if (model analysis)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Ice chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Upload a scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../dock.py" line="61"/>
        <source>Experiments</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IceSightPlugin</name>
    <message>
        <location filename="../plugin.py" line="48"/>
        <source>IceSight panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="55"/>
        <source>Classify selected patches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="56"/>
        <source>Explain selected targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="57"/>
        <source>Map scene (iceberg probability)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="58"/>
        <source>Scene catalog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="59"/>
        <source>Upload scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="60"/>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin.py" line="61"/>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../panels/jobs.py" line="79"/>
        <source>This project&apos;s jobs only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="89"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="91"/>
        <source>Cancel job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="93"/>
        <source>Add results to map again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="126"/>
        <source>IceSight: list jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="139"/>
        <source>Jobs could not be listed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="171"/>
        <source>{n} job(s); this project&apos;s in bold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="225"/>
        <source>Choose a job in the list first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="202"/>
        <source>Job {job} has already ended ({state}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="209"/>
        <source>IceSight: cancel job {job}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="217"/>
        <source>Job {job} could not be cancelled: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="219"/>
        <source>Job {job} is {state}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="228"/>
        <source>Job {job} ({kind}, {state}) has no results to put on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="243"/>
        <source>IceSight: results of job {job}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="253"/>
        <source>The results of job {job} could not be fetched: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="261"/>
        <source>Results of job {job} are on the map again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/jobs.py" line="238"/>
        <source>The results of job {job} cannot be put on the map: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MapSceneAlgorithm</name>
    <message>
        <location filename="../processing_provider.py" line="308"/>
        <source>Map scene (iceberg probability)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="311"/>
        <source>Runs the model over every pixel of a scene of the backend&apos;s catalog and writes the iceberg probability (0 to 1) as a raster on the scene&apos;s grid. Give the catalog scene id, or a raster layer of a catalog scene (its GeoTIFF carries the scene id). A local raster the backend does not know must be uploaded and ingested first. Pixels below the display threshold are transparent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="322"/>
        <source>Catalog scene id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="323"/>
        <source>...or a raster layer of a catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="326"/>
        <source>Model id (empty: newest)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="327"/>
        <source>Show probabilities from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="331"/>
        <source>Iceberg probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="332"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="335"/>
        <source>map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../processing_provider.py" line="345"/>
        <source>Iceberg probability {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelAnalysisPanel</name>
    <message>
        <location filename="../panels/analysis_slices.py" line="134"/>
        <source>Reviewed targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="135"/>
        <source>Scene (HH, HV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="144"/>
        <source>Accuracy by slice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="150"/>
        <source>Slice by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="151"/>
        <source>Compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Slice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>n</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="156"/>
        <source>Clutter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="158"/>
        <source>Accuracy: the model&apos;s class against targets reviewed as ship or iceberg (one the model called clutter counts as wrong). Targets reviewed as clutter are counted in their own column.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="164"/>
        <source>What if?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="166"/>
        <source>Probe selected target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="167"/>
        <source>The iceberg probability with HV or HH at the clutter level (no target in that band) and at other incidence angles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>p(iceberg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="172"/>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="238"/>
        <source>A probe is still running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="242"/>
        <source>Select exactly one target of the classification layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="252"/>
        <source>The selected target has no position.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="259"/>
        <source>Probing feature {fid} of {layer}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="268"/>
        <source>What-if probe failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="276"/>
        <source>What-if probes of feature {fid} of {layer} (model {model}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="215"/>
        <source>IceSight: incidence angles of the reviewed targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="219"/>
        <source>Reading the incidence angles from the scene...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="226"/>
        <source>The incidence angles could not be read from the scene: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelsPanel</name>
    <message>
        <location filename="../panels/models.py" line="86"/>
        <source>Production model (backend&apos;s choice)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="88"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="91"/>
        <source>Model for jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="94"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="94"/>
        <source>Model id (the full id is also in the details below)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="95"/>
        <source>Production model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="96"/>
        <source>Inputs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="96"/>
        <source>Whether recent inputs drift from the model&apos;s training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="97"/>
        <source>Validation {metric}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="115"/>
        <source>Use for jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="117"/>
        <source>Set as production</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="118"/>
        <source>The model the backend uses when a job names none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="134"/>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="135"/>
        <source>with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="174"/>
        <source>IceSight: list the models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="177"/>
        <source>Reading the model registry...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="184"/>
        <source>The models could not be listed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="213"/>
        <source>{n} model(s) registered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="235"/>
        <source>Only one model is registered: train or retrain another one to compare them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="246"/>
        <source>drift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="251"/>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="251"/>
        <source>Recent inputs look like this model&apos;s training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="253"/>
        <source>Too few predictions yet to tell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="254"/>
        <source>No monitoring figures for this model yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="274"/>
        <source>production model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="274"/>
        <source>not production</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="288"/>
        <source>Choose a model in the list first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="294"/>
        <source>IceSight: make {model} the production model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="303"/>
        <source>The production model could not be changed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="305"/>
        <source>{model} is now the production model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="313"/>
        <source>Choose two different models to compare.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="319"/>
        <source>IceSight: compare {a} and {b}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="328"/>
        <source>The models could not be compared: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="335"/>
        <source>Difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="343"/>
        <source>Trained on the same dataset: validation metrics compare fairly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="343"/>
        <source>Different training data: the validation metrics were measured on different sets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="246"/>
        <source>Recent inputs differ from this model&apos;s training data in: {names} (population stability index over {limit:g}); check the scenes&apos; calibration and product type (looks, resolution), or retrain on such data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/models.py" line="278"/>
        <source>validation:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <location filename="../panels/base.py" line="90"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PrintIceChartAlgorithm</name>
    <message>
        <location filename="../chart_algorithms.py" line="133"/>
        <source>Print ice chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="136"/>
        <source>Prints the ice chart of a classification layer over its scene: map, legend, scale bar, north arrow, title, the scene&apos;s acquisition date (given, or from the project&apos;s catalog footprints; else &apos;unknown&apos;), the model and the date of production, to PDF and PNG (A4 landscape). Runs on the main thread, as QGIS&apos;s own layout exports do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="150"/>
        <source>Classification layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="152"/>
        <source>Scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="153"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="154"/>
        <source>Acquisition date (empty: from the catalog)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="156"/>
        <source>Chart (PDF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="157"/>
        <source>Chart (PNG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="158"/>
        <source>Seconds to build and export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../chart_algorithms.py" line="164"/>
        <source>choose a classification layer</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <location filename="../panels/review.py" line="104"/>
        <source>Most uncertain first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="108"/>
        <source>Classified targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="109"/>
        <source>Scene (HH, HV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="110"/>
        <source>Start review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="113"/>
        <source>Click Start review, then use the keys below on this panel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="117"/>
        <source>Ship</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="118"/>
        <source>Iceberg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="119"/>
        <source>Clutter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="120"/>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="121"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="138"/>
        <source>Correct and retrain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="141"/>
        <source>Feature group: lower-case letters, digits and _</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="145"/>
        <source>Feature group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="146"/>
        <source>Retraining epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="150"/>
        <source>Send corrections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>Metric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>Old model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="158"/>
        <source>New model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="180"/>
        <source>Pick an IceSight classification layer: it has the reviewed_class field.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="189"/>
        <source>{layer} has no target to review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="303"/>
        <source>Start the review first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="341"/>
        <source>Target {k} of {n} ({done} reviewed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="344"/>
        <source>model: {cls}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="346"/>
        <source>reviewed: {r}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="398"/>
        <source>{what} cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="401"/>
        <source>{what} failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="458"/>
        <source>IceSight is still working on a job; wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="422"/>
        <source>No target is reviewed yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="428"/>
        <source>Sending {n} corrections ({s} ship(s), {b} iceberg(s), {c} clutter)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="432"/>
        <source>Sending corrections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="436"/>
        <source>Feature group {group} v{version}: {sent} corrections added{base}; it holds {n} patches ({s} ship(s), {b} iceberg(s), {c} clutter){skipped}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="439"/>
        <source> to v{v}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="444"/>
        <source>Retrain a model on feature group {group} v{version} and compare it with the model that made these calls?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="450"/>
        <source>IceSight: retrain?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="464"/>
        <source>Retraining on {group} v{version}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="467"/>
        <source>Retraining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="472"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="473"/>
        <source>Model {new} trained on {name} v{version} (validation accuracy {acc:.3f}); compared with {old} below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="147"/>
        <source>Reviewed targets are sent with their patches as ship, iceberg or clutter (no target) and added to the feature group&apos;s newest version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/review.py" line="439"/>
        <source>; {n} off the scene</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SceneBrowserPanel</name>
    <message>
        <location filename="../panels/scene_browser.py" line="68"/>
        <source>Any mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="71"/>
        <source>Over the map extent only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="72"/>
        <source>Only scenes whose footprint touches the current map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="74"/>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="75"/>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="78"/>
        <source>Search the catalog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="81"/>
        <source>Acquired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="87"/>
        <source>Add scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="88"/>
        <source>Stream the chosen scene from the backend onto the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="90"/>
        <source>Detect targets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="91"/>
        <source>Find bright targets on the chosen scene (CFAR) and load them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="107"/>
        <source>any time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="155"/>
        <source>IceSight: search the scene catalog</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="159"/>
        <source>Searching the catalog...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="165"/>
        <source>Search failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="166"/>
        <source>The scene catalog could not be searched: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="180"/>
        <source>{n} scene(s) found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="242"/>
        <source>Search the catalog and choose a scene first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="219"/>
        <source>IceSight: add scene {scene}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="223"/>
        <source>Opening scene {scene}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="231"/>
        <source>The scene could not be added: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="234"/>
        <source>Scene {scene} added (styles: HH, HV, incidence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="248"/>
        <source>Target detection is still running; wait for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="252"/>
        <source>IceSight: detect targets on {scene}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="258"/>
        <source>Detecting targets on {scene}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="265"/>
        <source>Detection failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="266"/>
        <source>Target detection failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="273"/>
        <source>{n} target(s) detected on {scene} (job {job})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/scene_browser.py" line="213"/>
        <source>The scene cannot be streamed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SliceChart</name>
    <message>
        <location filename="../panels/analysis_slices.py" line="96"/>
        <source>accuracy (n reviewed ship/iceberg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/analysis_slices.py" line="99"/>
        <source>no reviewed target</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrainingCurveChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="237"/>
        <source>train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="238"/>
        <source>validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="240"/>
        <source>best epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="314"/>
        <source>log loss per epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="318"/>
        <source>validation accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="321"/>
        <source>no training run yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrialChart</name>
    <message>
        <location filename="../panels/experiment_charts.py" line="399"/>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="400"/>
        <source>best</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="401"/>
        <source>pruned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="402"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="406"/>
        <source>no loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="458"/>
        <source>validation log loss by trial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/experiment_charts.py" line="463"/>
        <source>no search yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UploadPanel</name>
    <message>
        <location filename="../panels/upload.py" line="39"/>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="44"/>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="48"/>
        <source>made from the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="49"/>
        <source>Upload and ingest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="51"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="58"/>
        <source>Scene file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="59"/>
        <source>Mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="60"/>
        <source>Acquired (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="61"/>
        <source>Scene id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="74"/>
        <source>An upload is still running; wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="85"/>
        <source>IceSight: upload {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="97"/>
        <source>Uploading {name}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="109"/>
        <source>Upload cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="111"/>
        <source>Upload failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="112"/>
        <source>The scene could not be uploaded: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="117"/>
        <source>Scene {scene} is in the catalog (job {job}): {w} x {h} px at {px:g} m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../panels/upload.py" line="78"/>
        <source>Choose a scene file (GeoTIFF, COG, zipped Sentinel-1 SAFE or SNAP BEAM-DIMAP) first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UploadSceneAlgorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="137"/>
        <source>Upload a scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="157"/>
        <source>Catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="158"/>
        <source>Catalog scene id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="159"/>
        <source>Backend job id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="170"/>
        <source>choose the scene file to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="182"/>
        <source>opening and styling the catalog scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="140"/>
        <source>Sends a local Sentinel-1 scene (GeoTIFF/COG of calibrated sigma0 with HH, HV and optionally the incidence angle, a zipped SAFE GRD product, or a calibrated, terrain-corrected SNAP BEAM-DIMAP product, its .dim with the .data folder beside it) to the IceSight backend, which checks it and ingests it into its scene catalog. The catalog scene is then streamed onto the map, grey HH in dB, with HV and incidence as extra styles. Mode and acquisition time are read from the file when left empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../scene_algorithms.py" line="153"/>
        <source>Scene file (GeoTIFF/COG, zipped SAFE or SNAP .dim)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>algorithm</name>
    <message>
        <location filename="../scene_algorithms.py" line="105"/>
        <source>the land polygons layer has no polygon</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
