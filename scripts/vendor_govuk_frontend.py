"""Vendor GOV.UK Frontend's compiled CSS and JS into static/govuk/.

Run by a developer when upgrading (needs npm once); running the app never needs Node.
GOV.UK's crown, logo and the GDS Transport font are reserved for GOV.UK services, so the
font-face rules are removed, the font stack falls back to Arial, and no image asset is copied.

    python scripts/vendor_govuk_frontend.py [VERSION]
"""

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = sys.argv[1] if len(sys.argv) > 1 else "6.6.0"
DEST = Path(__file__).resolve().parent.parent / "static" / "govuk"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"govuk-frontend@{VERSION}", "--silent"], cwd=tmp, check=True
        )
        tarball = next(Path(tmp).glob("govuk-frontend-*.tgz"))
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist" / "govuk"
        css = (dist / "govuk-frontend.min.css").read_text()
        css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
        css = css.replace("GDS Transport,arial", "arial").replace(
            "font-family:GDS Transport", "font-family:arial"
        )
        css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
        js = (dist / "govuk-frontend.min.js").read_text()
        js = re.sub(r"//# sourceMappingURL=.*", "", js)
        DEST.mkdir(parents=True, exist_ok=True)
        (DEST / "govuk-frontend.min.css").write_text(css)
        (DEST / "govuk-frontend.min.js").write_text(js)
        (DEST / "VERSION").write_text(VERSION + "\n")
    assert "GDS Transport" not in css
    print(f"GOV.UK Frontend {VERSION} vendored into {DEST}")


if __name__ == "__main__":
    main()
