"""Every action code the code writes has a Chinese label on the audit page."""

import re
from pathlib import Path

from houbei.audit.labels import ACTION_LABELS

SOURCE = Path(__file__).resolve().parents[2] / "houbei"
ACTION = re.compile(r'action="([a-z_]+(?:\.[a-z_]+)+)"')


def test_every_recorded_action_has_a_label():
    codes = {
        code
        for path in SOURCE.rglob("*.py")
        for code in ACTION.findall(path.read_text(encoding="utf-8"))
    }
    assert codes, "the scan found no action codes: the pattern no longer matches the code"
    assert sorted(codes - set(ACTION_LABELS)) == []
