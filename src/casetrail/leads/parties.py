"""The FtM schema of a name a lead reports: a person unless the name carries a legal form.

The names field of the tip form takes "people or businesses", one per line, and a lead stores
them as plain strings. A name that contains a company legal form listed in rigour's
organisation-type table (``rigour.names.org_types``, built from ISO 20275 entity legal forms
and other lists), such as "Ltd", "GmbH", "LLC" or "S.A.", becomes a Company. A name with a
non-profit form ("e.V.", "Stiftung", "NGO") becomes an Organization, and any other name a
Person.
"""

from __future__ import annotations

from rigour.names.org_types import extract_org_types

PERSON = "Person"
COMPANY = "Company"
ORGANIZATION = "Organization"
# rigour's generic target for associations, foundations and other non-profit forms.
_NON_PROFIT = "ngo"


def schema_for_name(name: str) -> str:
    """Return the FtM schema for ``name``: Company, Organization or Person."""
    targets = {target for _, target in extract_org_types(name.casefold(), generic=True)}
    if not targets:
        return PERSON
    if targets == {_NON_PROFIT}:
        return ORGANIZATION
    return COMPANY
