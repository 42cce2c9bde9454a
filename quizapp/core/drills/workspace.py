"""The user's side of a drill: the workspace copy of a starter, one file per drill and track."""

from __future__ import annotations

import shutil
from pathlib import Path

from quizapp.core import paths
from quizapp.core.drills.loader import get_drill
from quizapp.core.errors import UsageError


def workspace_file(drill_id: str, track: str | None = None) -> Path:
    """The user's solution file for `drill_id` on `track` (default: the drill's main track),
    in the workspace."""
    if track is None:
        track = get_drill(drill_id).main_track
    suffix = "" if track == "torch" else f"_{track}"
    return paths.workspace_dir() / f"{drill_id}{suffix}.py"


def start_drill(drill_id: str, track: str | None = None, *, overwrite: bool = False) -> Path:
    """Copy the starter of `track` (default: the drill's main track) into the workspace and
    return the copy's path.

    An existing file is the user's work: it is kept unless `overwrite` is true."""
    drill = get_drill(drill_id)
    track = track or drill.main_track
    if track not in drill.tracks:
        raise UsageError(f"drill '{drill_id}' has no {track} track "
                         f"(tracks: {', '.join(drill.tracks)})")
    target = workspace_file(drill_id, track)
    if overwrite or not target.exists():
        shutil.copyfile(drill.starter_path(track), target)
    return target
