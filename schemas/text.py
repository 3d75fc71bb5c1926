"""Text rules shared by every wire model, so they are IN the OpenAPI schema (lengths, forbidden characters).

A string on the wire may not hold a NUL or a lone UTF-16 surrogate ("\\ud800" in JSON): neither can be
stored or hashed as UTF-8, so they are refused as a validation problem (422), never a server error.
The schema says so: a `pattern` refusing NUL, and a lone surrogate is no Unicode text at all, so no
JSON Schema string holds one (a pattern naming surrogates would, in ECMA-262's non-Unicode mode, also
refuse the rare CJK characters of names outside the BMP, written as surrogate pairs). `clean_text` checks both.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

NO_CONTROL = "^[^\\u0000]*$"  # no NUL (lone surrogates are no text: refused by clean_text)
SHORT, NAME, LINE, TEXT, LONG = 64, 128, 256, 2000, 20_000


def clean_text(value: str) -> str:
    """The value, if it holds neither NUL nor a lone surrogate; otherwise a ValueError (422)."""
    if "\x00" in value:
        raise ValueError("文本中不能包含空字符（U+0000）")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("文本中不能包含单独的 UTF-16 代理字符")
    return value


def _rule(max_length: int, min_length: int = 0) -> object:
    return Field(min_length=min_length, max_length=max_length, json_schema_extra={"pattern": NO_CONTROL})


_CLEAN = AfterValidator(clean_text)
ShortText = Annotated[str, _rule(SHORT), _CLEAN]
Identifier = Annotated[str, _rule(SHORT, 1), _CLEAN]
NameText = Annotated[str, _rule(NAME), _CLEAN]
LineText = Annotated[str, _rule(LINE), _CLEAN]
Text = Annotated[str, _rule(TEXT), _CLEAN]
LongText = Annotated[str, _rule(LONG), _CLEAN]
Secret = Annotated[str, _rule(LINE, 1), _CLEAN]


def limit_strings(schema: dict[str, Any]) -> None:
    """Give every string property without its own rules the wire defaults, as the validators enforce them."""
    for prop in schema.get("properties", {}).values():
        for variant in prop.get("anyOf", [prop]):
            if variant.get("type") == "string" and "format" not in variant:
                variant.setdefault("maxLength", LONG)
                variant.setdefault("pattern", NO_CONTROL)


class WireModel(BaseModel):
    """A wire model whose every text field is at most LONG characters and holds no NUL or lone surrogate,
    checked and written into the schema (fields with their own, tighter rules keep them)."""

    model_config = ConfigDict(str_max_length=LONG, json_schema_extra=limit_strings)

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value
