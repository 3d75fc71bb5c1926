"""Verification cases and their subjects (核查对象)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from sync_server.tables.columns import named_key


class Case(SQLModel, table=True):
    """A verification case as entrusted by a unit and assigned to a survey team."""

    __tablename__ = "cases"
    # The case list's filter options (casework/reviewer_list.choices) are read by skipping through these, one
    # probe per distinct value, never a scan (issue 19): each role's visibility column, then the option.
    __table_args__ = (Index("ix_cases_agency_unit", "agency_id", "entrusting_unit"),
                      Index("ix_cases_agency_team", "agency_id", "team_id"),
                      Index("ix_cases_team_unit", "team_id", "entrusting_unit"),
                      Index("ix_cases_unit_team", "entrusting_unit", "team_id"))
    id: str = Field(primary_key=True)
    title: str
    entrusting_unit: str
    address: str
    lat: float | None = None
    lon: float | None = None
    authorization_recorded: bool = False  # the family's signed consent (R1)
    entrustment_recorded: bool = False  # the unit's sealed request (R1)
    accepted_on: date
    re_verification: bool = False  # R3, R19: ten more working days
    required_checks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    team_id: str = Field(foreign_key="teams.id")
    agency_id: str | None = Field(default=None,  # the agency running it
                                  sa_column_args=named_key("organisations.id", "fk_cases_agency_id_organisations"))
    # its place in the devices' list (casework/device_order); the server default is revision 0008's
    listed_seq: int = Field(default=0, index=True, sa_column_kwargs={"server_default": "0"})


class Subject(SQLModel, table=True):
    """A family member under verification (R2: only these are surveyed)."""

    __tablename__ = "subjects"
    id: str = Field(primary_key=True)
    case_id: str = Field(foreign_key="cases.id", index=True)
    position: int = 0
    name: str
    id_number: str
    relation: str
    # the two server defaults are revision 0002's (it added them to existing rows)
    household_address: str = Field(default="", sa_column_kwargs={"server_default": ""})  # 户籍地址 (appendix C)
    note: str = Field(default="", sa_column_kwargs={"server_default": ""})  # 备注
