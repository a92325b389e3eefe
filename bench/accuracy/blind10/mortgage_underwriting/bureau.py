"""Credit bureau searches over the bureau's SOAP gateway.

zeep is synchronous; a full search takes 2-8 s at the bureau. The WSDL is
loaded once, at import, with the mutual-TLS session below.
"""
import logging
import os
from dataclasses import dataclass
from datetime import date

from requests import Session
from zeep import Client, Settings
from zeep.transports import Transport

log = logging.getLogger(__name__)

WSDL = os.environ.get("BUREAU_WSDL", "https://gateway.bureau.example/CreditSearch/v3?wsdl")

_session = Session()
_session.cert = (os.environ.get("BUREAU_CERT", "/etc/uw/bureau.crt"), os.environ.get("BUREAU_KEY", "/etc/uw/bureau.key"))
_client = Client(WSDL, transport=Transport(session=_session, timeout=30), settings=Settings(strict=False, xml_huge_tree=True))


@dataclass
class CreditReport:
    score: int
    defaults: int
    ccjs: int
    missed_payments_12m: int
    search_id: str


def pull_report(forename: str, surname: str, dob: date, postcode: str, *, hard: bool = True) -> CreditReport:
    resp = _client.service.CreditSearch(
        Forename=forename,
        Surname=surname,
        DateOfBirth=dob.isoformat(),
        Postcode=postcode.replace(" ", "").upper(),
        SearchType="HARD" if hard else "QUOTATION",
        Purpose="MORTGAGE",
    )
    log.info("bureau search %s (%s)", resp.SearchId, "hard" if hard else "quotation")
    return CreditReport(
        score=int(resp.Score),
        defaults=len(resp.Defaults or []),
        ccjs=len(resp.Judgments or []),
        missed_payments_12m=int(resp.Summary.MissedPayments12m or 0),
        search_id=str(resp.SearchId),
    )
