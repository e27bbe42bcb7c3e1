"""Headless QGIS for the acceptance tests: the application, map rendering to PNG and image checks.

Debian's python3-qgis (QGIS 3.22) with the offscreen Qt platform: no display is needed.
"""
import os
import shutil
import sys
import tempfile
import time
from collections import Counter

# Settings and Qt's runtime files go to a directory of this run, never to the user's QGIS profile.
_scratch = tempfile.mkdtemp(prefix="catchment-qgis-")
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("XDG_RUNTIME_DIR", _scratch)

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

# All London in lon/lat: the 33 boroughs with a little margin.
LONDON_LONLAT = QgsRectangle(-0.53, 51.27, 0.35, 51.71)
WIDTH, HEIGHT = 1200, 900

failures = []


def check(condition, message):
    """Records a failed expectation (and prints it) without stopping, like Catch2's CHECK."""
    print(("ok:   " if condition else "FAIL: ") + message, flush=True)
    if not condition:
        failures.append(message)


def require(condition, message):
    """Stops at once when a precondition fails, like Catch2's REQUIRE."""
    check(condition, message)
    if not condition:
        finish()


def finish():
    shutil.rmtree(_scratch, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        os._exit(1)  # skips QGIS's exit handlers, which can crash after a failure
    print("all checks passed", flush=True)
    os._exit(0)


def start_qgis():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False, _scratch)
    app.initQgis()
    return app


def london_extent(crs):
    """London's extent in `crs`."""
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), crs, QgsProject.instance())
    return transform.transformBoundingBox(LONDON_LONLAT)


def render(layers, crs, path, background=QColor("#ffffff"), extent=None, labels=None):
    """Renders `layers` (top first) over `extent` (London by default) at WIDTH x HEIGHT to the PNG `path`;
    returns (image, seconds). Every error QGIS reports while rendering fails the check. The text of every
    label QGIS placed goes into the list `labels` when one is given."""
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(WIDTH, HEIGHT))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(background)
    settings.setExtent(extent if extent is not None else london_extent(crs))
    job = QgsMapRendererParallelJob(settings)
    started = time.monotonic()
    job.start()
    job.waitForFinished()
    seconds = time.monotonic() - started
    for error in job.errors():
        print(f"render error in {error.layerID}: {error.message}", file=sys.stderr)
    check(not job.errors(), f"{path}: QGIS reported no rendering error")
    image = job.renderedImage()
    if labels is not None:
        results = job.takeLabelingResults()
        labels.extend(position.labelText for position in results.allLabels())
    check(image.save(path, "PNG"), f"saved {path}")
    return image, seconds


def colour_counts(image):
    """{0xAARRGGBB: pixel count} of an image."""
    image = image.convertToFormat(QImage.Format_ARGB32)
    data = image.constBits()
    data.setsize(image.sizeInBytes())
    return Counter(memoryview(bytes(data)).cast("I"))


def rgb_of(value):
    return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)


def has_colour(counts, rgb, tolerance=2, min_pixels=50):
    """True when at least `min_pixels` pixels are within `tolerance` of `rgb` in every channel."""
    total = 0
    for value, count in counts.items():
        if all(abs(a - b) <= tolerance for a, b in zip(rgb_of(value), rgb)):
            total += count
    return total >= min_pixels


def check_not_blank(counts, background, what):
    """The image has many colours and is mostly not the background."""
    pixels = sum(counts.values())
    check(len(counts) > 1, f"{what}: {len(counts)} distinct colours (more than one)")
    covered = 1 - counts.get(QColor(background).rgba(), 0) / pixels
    check(covered > 0.3, f"{what}: {covered:.0%} of the pixels are drawn (more than 30%)")
