"""Where the shared real camera files are: ../shared/test-media beside the repository (see its README)."""
from pathlib import Path

TEST_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "test-media"
PHOTOS = TEST_MEDIA / "photos"
