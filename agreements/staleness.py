"""Does the agreement in force still say what the registry says?

A published version is frozen; the registry is not. After a processor's data location, an
officer or a flow is edited, the content that would be built today differs from the version's
frozen content, and staff should start a new version. ``registry_drift`` says how, in the same
sentences as the preview before publishing (``agreements.changes``).

Cost: one content build per version checked (8 queries and about 8 ms for the demo's
Warwickshire agreement on SQLite, 18 data objects and 11 suppliers). A change page checks its
one version; a list page checks at most ``CHECKS_PER_PAGE`` rows and says so for the rest, so a
long list never costs a build per row.
"""

from dataclasses import dataclass, field

from agreements.changes import describe_changes
from agreements.content import build_agreement_content
from agreements.models import AgreementVersion

CHECKS_PER_PAGE = 10


@dataclass(frozen=True)
class Drift:
    """How the registry now differs from a published version's words (empty: it matches)."""

    version: AgreementVersion
    sentences: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.sentences)


def registry_drift(version: AgreementVersion) -> Drift:
    """Return how the content built from today's registry differs from ``version``'s.

    Only a version in force is checked: a draft is built afresh anyway, and a superseded
    version is history.
    """
    if version.status != AgreementVersion.Status.PUBLISHED or not version.content:
        return Drift(version)
    current = build_agreement_content(version)
    sections = describe_changes(version.content, current)
    return Drift(version, [sentence for s in sections for sentence in s.sentences])
