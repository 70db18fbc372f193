"""GIAS "all establishment data" files (edubasealldata YYYYMMDD.csv) as GIAS writes them.

The real download is Windows-1252 (a right single quote is byte 0x92, a no-break space 0xA0),
has a quoted header row of 135 columns (older downloads: 139, in a different order), quotes
every value except bare integers (URN, ages, capacity, pupil numbers...), writes dates as
dd-mm-yyyy, ends lines with CRLF and has no newline after the last record. ``gias_csv`` writes
such a file from row dicts keyed by header name: only the columns given are filled, the
others are empty.

The ready rows are Warwickshire's (LA 937) plus one Birmingham row (LA 330); the URNs and
establishment numbers are not the demo world's, except ``AVON_MEADOW``, the demo's Avon Meadow
Primary School as GIAS lists it (it matches the register exactly).
"""

import re
from collections.abc import Iterable, Mapping

Row = Mapping[str, object]

_IDENTITY = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
    "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
    "ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)",
    "Diocese (code)", "Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)",
    "SchoolCapacity", "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate",
    "NumberOfPupils", "NumberOfBoys", "NumberOfGirls", "PercentageFSM",
]  # fmt: skip
_TRUST = [
    "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
    "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
    "Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier",
    "FurtherEducationType (name)", "OfstedLastInsp", "LastChangedDate",
]  # fmt: skip
_ADDRESS = [
    "Street", "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite",
    "TelephoneNum", "HeadTitle (name)", "HeadFirstName", "HeadLastName",
    "HeadPreferredJobTitle",
]  # fmt: skip
_PROVISION = [
    "BSOInspectorateName (name)", "InspectorateReport", "DateOfLastInspectionVisit",
    "NextInspectionVisit", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)",
    *(f"SEN{n} (name)" for n in range(1, 14)),
    "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity",
    "SenUnitOnRoll", "SenUnitCapacity",
]  # fmt: skip
_GEOGRAPHY = [
    "GOR (code)", "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
    "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing",
    "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat",
    "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
    "PreviousEstablishmentNumber", "OfstedRating (name)", "RSCRegion (name)", "Country (name)",
    "UPRN", "SiteName", "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)",
    "FSM", "AccreditationExpiryDate",
]  # fmt: skip

# Today's download: 135 columns.
HEADER_135 = [*_IDENTITY, *_TRUST, *_ADDRESS, *_PROVISION, *_GEOGRAPHY]


def _older_identity() -> list[str]:
    """The older identity block: the name before the number and the LA's name before its code."""
    block = list(_IDENTITY)
    block[1], block[2] = block[2], block[1]
    block[3], block[4] = block[4], block[3]
    return block


def _older_address() -> list[str]:
    """The older address block: the postcode before the town and county."""
    block = [name for name in _ADDRESS if name != "Postcode"]
    block.insert(block.index("Town"), "Postcode")
    return block


# An older download: 139 columns, four more (since dropped) and the address before the trust.
HEADER_139 = [
    *_older_identity(),
    *_older_address(),
    *_TRUST[:12],
    "OfstedSpecialMeasures (code)",
    "OfstedSpecialMeasures (name)",
    *_TRUST[12:],
    "TeenMoth (name)",
    "TeenMothPlaces",
    *_PROVISION,
    *_GEOGRAPHY,
]
LAYOUTS = {"135": HEADER_135, "139": HEADER_139}
assert len(HEADER_135) == len(set(HEADER_135)) == 135
assert len(HEADER_139) == len(set(HEADER_139)) == 139
assert set(HEADER_135) < set(HEADER_139)

# GIAS writes these without quotes when they hold a number (nothing at all when empty).
BARE = {
    "URN", "StatutoryLowAge", "StatutoryHighAge", "SchoolCapacity", "NumberOfPupils",
    "NumberOfBoys", "NumberOfGirls", "PercentageFSM", "UKPRN", "PlacesPRU",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll",
    "SenUnitCapacity", "TeenMothPlaces", "Easting", "Northing",
}  # fmt: skip
_NUMBER = re.compile(r"\d+(\.\d+)?")


def _cell(column: str, value: object) -> str:
    text = "" if value is None else str(value)
    if column in BARE and (text == "" or _NUMBER.fullmatch(text)):
        return text
    return '"' + text.replace('"', '""') + '"'


def gias_csv(rows: Iterable[Row], layout: str = "135", *, without: Iterable[str] = ()) -> bytes:
    """Return the bytes of a GIAS download holding ``rows``, in ``layout`` ("135" or "139").

    ``without`` leaves columns out of the header and the records (a damaged or foreign file).
    """
    dropped = set(without)
    header = [name for name in LAYOUTS[layout] if name not in dropped]
    lines = [",".join(f'"{name}"' for name in header)]
    for row in rows:
        unknown = set(row) - set(LAYOUTS[layout])
        if unknown:
            raise ValueError(f"not a GIAS column: {sorted(unknown)}")
        lines.append(",".join(_cell(name, row.get(name, "")) for name in header))
    return "\r\n".join(lines).encode("cp1252")


def line_of(data: bytes, urn: object) -> int:
    """Return the physical line (the header is 1) where the record of ``urn`` starts."""
    line = 1
    for record in data.split(b"\r\n"):
        if record.startswith((f"{urn},".encode(), f'"{urn}",'.encode())):
            return line
        line += 1
    raise LookupError(urn)


# What every Warwickshire row says about its place and its defaults.
_WARWICKSHIRE: dict[str, object] = {
    "LA (code)": "937", "LA (name)": "Warwickshire",
    "EstablishmentStatus (code)": "1", "EstablishmentStatus (name)": "Open",
    "ReasonEstablishmentOpened (code)": "00", "ReasonEstablishmentOpened (name)": "Not applicable",
    "ReasonEstablishmentClosed (code)": "00", "ReasonEstablishmentClosed (name)": "Not applicable",
    "Boarders (code)": "1", "Boarders (name)": "No boarders",
    "OfficialSixthForm (code)": "2", "OfficialSixthForm (name)": "Does not have a sixth form",
    "Gender (code)": "3", "Gender (name)": "Mixed",
    "ReligiousCharacter (code)": "00", "ReligiousCharacter (name)": "Does not apply",
    "ReligiousEthos (name)": "Does not apply",
    "Diocese (code)": "0000", "Diocese (name)": "Not applicable",
    "AdmissionsPolicy (code)": "0", "AdmissionsPolicy (name)": "Not applicable",
    "SpecialClasses (code)": "2", "SpecialClasses (name)": "No Special Classes",
    "CensusDate": "18-01-2024",
    "TrustSchoolFlag (code)": "0", "TrustSchoolFlag (name)": "Not applicable",
    "SchoolSponsorFlag (name)": "Not applicable",
    "FederationFlag (name)": "Not under a federation",
    "LastChangedDate": "02-12-2024", "County (name)": "Warwickshire",
    "HeadPreferredJobTitle": "Headteacher",
    "GOR (code)": "F", "GOR (name)": "West Midlands",
    "UrbanRural (code)": "C1", "UrbanRural (name)": "(England/Wales) Urban city and town",
    "GSSLACode (name)": "E10000031", "InspectorateName (name)": "Ofsted",
    "BoardingEstablishment (name)": "Not applicable", "RSCRegion (name)": "West Midlands",
    "Country (name)": "", "SiteName": "",
}  # fmt: skip

_MAINTAINED = {
    "TypeOfEstablishment (code)": "01", "TypeOfEstablishment (name)": "Community school",
    "EstablishmentTypeGroup (code)": "4",
    "EstablishmentTypeGroup (name)": "Local authority maintained schools",
}  # fmt: skip
_PRIMARY = {
    "PhaseOfEducation (code)": "2", "PhaseOfEducation (name)": "Primary",
    "StatutoryLowAge": 4, "StatutoryHighAge": 11,
    "NurseryProvision (name)": "No Nursery Classes",
}  # fmt: skip
_SECONDARY = {
    "PhaseOfEducation (code)": "4", "PhaseOfEducation (name)": "Secondary",
    "StatutoryLowAge": 11, "StatutoryHighAge": 18,
    "OfficialSixthForm (code)": "1", "OfficialSixthForm (name)": "Has a sixth form",
}  # fmt: skip
_CONVERTER = {
    "TypeOfEstablishment (code)": "34", "TypeOfEstablishment (name)": "Academy converter",
    "EstablishmentTypeGroup (code)": "10", "EstablishmentTypeGroup (name)": "Academies",
    "ReasonEstablishmentOpened (code)": "10",
    "ReasonEstablishmentOpened (name)": "Academy converter",
}  # fmt: skip
MAT = {
    "TrustSchoolFlag (code)": "5",
    "TrustSchoolFlag (name)": "Supported by a multi-academy trust",
    "Trusts (code)": "16071", "Trusts (name)": "Avon Valley Learning Trust",
}  # fmt: skip

COMMUNITY_PRIMARY: dict[str, object] = {
    **_WARWICKSHIRE, **_MAINTAINED, **_PRIMARY,
    "URN": 125601, "EstablishmentNumber": "2001",
    "EstablishmentName": "Queen\u2019s Park Community Primary School",
    "OpenDate": "", "CloseDate": "",
    "SchoolCapacity": 210, "NumberOfPupils": 204, "NumberOfBoys": 101, "NumberOfGirls": 103,
    "PercentageFSM": "18.6", "UKPRN": 10079001, "OfstedLastInsp": "14-03-2023",
    "Street": "Park Lane", "Locality": "Attleborough", "Address3": "", "Town": "Nuneaton",
    "Postcode": "CV11 9ZZ", "SchoolWebsite": "www.queenspark.warwickshire.sch.uk",
    "TelephoneNum": "02476 000201",
    "HeadTitle (name)": "Mrs", "HeadFirstName": "Jane", "HeadLastName": "O\u2019Neill",
    "DistrictAdministrative (code)": "E07000219",
    "DistrictAdministrative (name)": "Nuneaton and Bedworth",
    "AdministrativeWard (name)": "Attleborough",
    "ParliamentaryConstituency (name)": "Nuneaton", "Easting": 437104, "Northing": 290512,
    "MSOA (name)": "Nuneaton and Bedworth 012", "LSOA (name)": "Nuneaton and Bedworth 012C",
    "OfstedRating (name)": "Good", "UPRN": "100070000201",
}  # fmt: skip

# A multi-academy trust's academy; no-break spaces inside its name and street, as GIAS has them.
MAT_ACADEMY: dict[str, object] = {
    **_WARWICKSHIRE, **_CONVERTER, **_SECONDARY, **MAT,
    "URN": 137602, "EstablishmentNumber": "4001",
    "EstablishmentName": "Arden Valley\u00a0Academy",
    "OpenDate": "01-09-2011", "CloseDate": "",
    "SchoolCapacity": 1350, "NumberOfPupils": 1288, "NumberOfBoys": 640, "NumberOfGirls": 648,
    "PercentageFSM": "9.8", "UKPRN": 10034002,
    "Street": "Kenilworth\u00a0Road", "Locality": "", "Address3": "", "Town": "Warwick",
    "Postcode": "CV34 9ZZ", "SchoolWebsite": "https://www.ardenvalley.org.uk",
    "TelephoneNum": "01926 000202", "HeadTitle (name)": "Mr", "HeadFirstName": "Tom",
    "HeadLastName": "Baker", "HeadPreferredJobTitle": "Principal",
    "DistrictAdministrative (name)": "Warwick",
    "ParliamentaryConstituency (name)": "Warwick and Leamington",
    "Easting": 428500, "Northing": 265900, "OfstedRating (name)": "Outstanding",
    "PreviousLA (code)": "937", "PreviousEstablishmentNumber": "4001",
}  # fmt: skip

# A single-academy trust's academy: an academy, not a trust member.
SAT_ACADEMY: dict[str, object] = {
    **_WARWICKSHIRE, **_CONVERTER, **_SECONDARY,
    "URN": 136603, "EstablishmentNumber": "5401", "EstablishmentName": "Abbey Grange School",
    "OpenDate": "01-04-2011", "CloseDate": "",
    "TrustSchoolFlag (code)": "6",
    "TrustSchoolFlag (name)": "Supported by a single-academy trust",
    "Trusts (code)": "3102", "Trusts (name)": "Abbey Grange School Academy Trust",
    "SchoolCapacity": 900, "NumberOfPupils": 874,
    "Street": "Abbey Street", "Locality": "", "Address3": "", "Town": "Kenilworth",
    "Postcode": "CV8 9ZZ", "SchoolWebsite": "http://www.abbeygrange.org.uk",
    "TelephoneNum": "01926 000203", "HeadTitle (name)": "Dr", "HeadFirstName": "Priya",
    "HeadLastName": "Shah", "HeadPreferredJobTitle": "Headteacher",
}  # fmt: skip

# A special school: GIAS gives its phase as "Not applicable".
SPECIAL_SCHOOL: dict[str, object] = {
    **_WARWICKSHIRE,
    "URN": 125604, "EstablishmentNumber": "7001", "EstablishmentName": "Brookfield School",
    "TypeOfEstablishment (code)": "07", "TypeOfEstablishment (name)": "Community special school",
    "EstablishmentTypeGroup (code)": "5", "EstablishmentTypeGroup (name)": "Special schools",
    "PhaseOfEducation (code)": "0", "PhaseOfEducation (name)": "Not applicable",
    "StatutoryLowAge": 2, "StatutoryHighAge": 19, "OpenDate": "", "CloseDate": "",
    "SchoolCapacity": 120, "NumberOfPupils": 131,
    "SEN1 (name)": "SLD - Severe Learning Difficulty",
    "SEN2 (name)": "PMLD - Profound and Multiple Learning Difficulty",
    "Street": "Brook Lane", "Locality": "Cubbington", "Address3": "",
    "Town": "Leamington Spa", "Postcode": "CV32 9ZZ", "SchoolWebsite": "",
    "TelephoneNum": "01926 000204", "HeadTitle (name)": "Ms", "HeadFirstName": "Alison",
    "HeadLastName": "Reid",
}  # fmt: skip

# A pupil referral unit: GIAS leaves its phase empty; its head's title is "Not applicable".
PRU: dict[str, object] = {
    **_WARWICKSHIRE,
    "URN": 131606, "EstablishmentNumber": "1106",
    "EstablishmentName": "Riverbank Pupil Referral Unit",
    "TypeOfEstablishment (code)": "14", "TypeOfEstablishment (name)": "Pupil referral unit",
    "EstablishmentTypeGroup (code)": "4",
    "EstablishmentTypeGroup (name)": "Local authority maintained schools",
    "PhaseOfEducation (code)": "", "PhaseOfEducation (name)": "",
    "StatutoryLowAge": 11, "StatutoryHighAge": 16, "OpenDate": "01-09-2007", "CloseDate": "",
    "PlacesPRU": 40, "NumberOfPupils": 36,
    "Street": "Mill Street", "Locality": "", "Address3": "Unit 4", "Town": "Bedworth",
    "Postcode": "CV12 9ZZ", "SchoolWebsite": "www.riverbank.warwickshire.sch.uk",
    "TelephoneNum": "02476 000206", "HeadTitle (name)": "Not applicable",
    "HeadFirstName": "Sam", "HeadLastName": "Jones", "HeadPreferredJobTitle": "Head of Centre",
}  # fmt: skip

# Oakley Wood: open last month; closed this month, and an academy of the same establishment
# number (a new URN) opened the next day.
OPEN_PREDECESSOR: dict[str, object] = {
    **_WARWICKSHIRE, **_MAINTAINED, **_PRIMARY,
    "URN": 125605, "EstablishmentNumber": "2005",
    "EstablishmentName": "Oakley Wood Primary School", "OpenDate": "", "CloseDate": "",
    "SchoolCapacity": 315, "NumberOfPupils": 298,
    "Street": "Oakley Wood Road", "Locality": "Bishop\u2019s Tachbrook", "Address3": "",
    "Town": "Leamington Spa", "Postcode": "CV33 9ZZ", "SchoolWebsite": "",
    "TelephoneNum": "01926 000205", "HeadTitle (name)": "Mr", "HeadFirstName": "Peter",
    "HeadLastName": "Hall",
}  # fmt: skip
CLOSED_SCHOOL: dict[str, object] = {
    **OPEN_PREDECESSOR,
    "EstablishmentStatus (code)": "2", "EstablishmentStatus (name)": "Closed",
    "ReasonEstablishmentClosed (code)": "10",
    "ReasonEstablishmentClosed (name)": "Academy converter", "CloseDate": "31-08-2024",
    "NumberOfPupils": "", "LastChangedDate": "01-09-2024",
}  # fmt: skip
SUCCESSOR_ACADEMY: dict[str, object] = {
    **OPEN_PREDECESSOR, **_CONVERTER, **MAT,
    "URN": 148605, "EstablishmentName": "Oakley Wood Primary Academy",
    "OpenDate": "01-09-2024", "SchoolWebsite": "https://www.oakleywood.avonvalley.org.uk",
    "PreviousLA (code)": "937", "PreviousLA (name)": "Warwickshire",
    "PreviousEstablishmentNumber": "2005", "LastChangedDate": "01-09-2024",
}  # fmt: skip

# Another LA's school (Birmingham, 330), which no organisation here serves.
BIRMINGHAM_SCHOOL: dict[str, object] = {
    **_WARWICKSHIRE, **_MAINTAINED, **_PRIMARY,
    "URN": 103506, "LA (code)": "330", "LA (name)": "Birmingham", "EstablishmentNumber": "2006",
    "EstablishmentName": "Lozells Lane Primary School", "OpenDate": "", "CloseDate": "",
    "County (name)": "West Midlands", "Street": "Lozells Lane", "Town": "Birmingham",
    "Postcode": "B19 9ZZ", "TelephoneNum": "0121 000 0206", "HeadTitle (name)": "Miss",
    "HeadFirstName": "Ann", "HeadLastName": "Lee",
}  # fmt: skip

# An independent school in Warwickshire, which the service does not serve.
INDEPENDENT_SCHOOL: dict[str, object] = {
    **_WARWICKSHIRE,
    "URN": 125607, "EstablishmentNumber": "6001",
    "EstablishmentName": "Warwick Hill Preparatory School",
    "TypeOfEstablishment (code)": "11", "TypeOfEstablishment (name)": "Other independent school",
    "EstablishmentTypeGroup (code)": "3", "EstablishmentTypeGroup (name)": "Independent schools",
    "PhaseOfEducation (code)": "0", "PhaseOfEducation (name)": "Not applicable",
    "StatutoryLowAge": 3, "StatutoryHighAge": 13, "OpenDate": "01-01-1950", "CloseDate": "",
    "Street": "Hill Road", "Town": "Warwick", "Postcode": "CV35 9ZZ",
    "TelephoneNum": "01926 000207", "HeadTitle (name)": "Mr", "HeadFirstName": "Giles",
    "HeadLastName": "Ward", "InspectorateName (name)": "ISI",
}  # fmt: skip

# The demo's Avon Meadow Primary School (URN 999101, 937/9101) as GIAS lists it.
AVON_MEADOW: dict[str, object] = {
    **_WARWICKSHIRE, **_MAINTAINED, **_PRIMARY,
    "URN": 999101, "EstablishmentNumber": "9101", "EstablishmentName": "Avon Meadow Primary School",
    "OpenDate": "", "CloseDate": "", "Street": "Meadow Lane", "Locality": "", "Address3": "",
    "Town": "Stratford-upon-Avon", "Postcode": "CV37 9ZZ",
    "SchoolWebsite": "https://avonmeadow.example.org", "TelephoneNum": "01789 000101",
    "HeadTitle (name)": "Mrs", "HeadFirstName": "R.", "HeadLastName": "Patel",
}  # fmt: skip

# Every ready row in the order GIAS sorts them (by URN).
ALL_ROWS = sorted(
    [
        COMMUNITY_PRIMARY,
        MAT_ACADEMY,
        SAT_ACADEMY,
        SPECIAL_SCHOOL,
        PRU,
        CLOSED_SCHOOL,
        SUCCESSOR_ACADEMY,
        BIRMINGHAM_SCHOOL,
        INDEPENDENT_SCHOOL,
    ],
    key=lambda row: int(str(row["URN"])),
)
