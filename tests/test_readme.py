"""The README's install line names the system packages CI installs, no more and no fewer."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_apt_get_line_matches_the_ci_package_list():
    ci = re.search(r'^PACKAGES="([^"]+)"', (ROOT / ".ci" / "run").read_text(), re.M)
    readme = re.search(r"^\s*sudo apt-get install (.+)$", (ROOT / "README.md").read_text(), re.M)
    assert ci and readme
    assert readme[1].split() == ci[1].split()
    assert {"chromium", "fonts-noto-cjk", "libpango-1.0-0"} <= set(ci[1].split())
