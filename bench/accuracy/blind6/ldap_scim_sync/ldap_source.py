"""Reads the directory with ldap3 (synchronous strategy)."""
from dataclasses import dataclass

from ldap3 import ALL_ATTRIBUTES, SUBTREE, Connection, Server

BASE_DN = "ou=people,dc=example,dc=org"
GROUPS_DN = "ou=groups,dc=example,dc=org"


@dataclass
class Person:
    uid: str
    email: str
    display_name: str
    active: bool


def _connect(url: str, bind_dn: str, password: str) -> Connection:
    return Connection(Server(url, use_ssl=True), user=bind_dn, password=password, auto_bind=True)


def fetch_people(url: str, bind_dn: str, password: str) -> list[Person]:
    conn = _connect(url, bind_dn, password)
    try:
        entries = conn.extend.standard.paged_search(
            BASE_DN, "(objectClass=inetOrgPerson)", SUBTREE, attributes=ALL_ATTRIBUTES, paged_size=500
        )
        people = []
        for e in entries:
            attrs = e["attributes"]
            people.append(Person(attrs["uid"][0], attrs.get("mail", [""])[0], attrs.get("cn", [""])[0],
                                 "disabled" not in attrs.get("employeeType", [])))
        return people
    finally:
        conn.unbind()


def fetch_groups(url: str, bind_dn: str, password: str) -> dict[str, list[str]]:
    conn = _connect(url, bind_dn, password)
    try:
        conn.search(GROUPS_DN, "(objectClass=groupOfNames)", attributes=["cn", "member"])
        return {str(e.cn): [m.split(",")[0][4:] for m in e.member.values] for e in conn.entries}
    finally:
        conn.unbind()
