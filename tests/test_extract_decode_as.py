"""Evidence is shown in the text it was quoted from: a finding records its page's codec, decode_as replays it."""

from __future__ import annotations

import codecs

from pagetext.decode import decode_as, decode_page

# ISO-2022-JP is all 7-bit bytes: extractor 1.9.0 read it as UTF-8 (ASCII debris), 1.9.1 as ISO-2022-JP.
ISO_2022_JP = '<meta charset="iso-2022-jp"><p>上海標準 T/DEMO 001-2019</p>'.encode("iso2022_jp")
BIG5 = "<p>執行標準：T/DEMO 001-2019（上海標準）</p>".encode("big5")


def test_a_recorded_codec_is_replayed_even_where_todays_decoder_chooses_another() -> None:
    assert decode_page(ISO_2022_JP).encoding != "utf-8"
    then = decode_as(ISO_2022_JP, "utf-8")
    assert then.encoding == "utf-8" and then.text == ISO_2022_JP.decode("utf-8")
    assert then.notes == [
        f"read as utf-8, as when the finding was made (read as {decode_page(ISO_2022_JP).encoding} now)"
    ]


def test_the_same_codec_as_today_is_todays_decoding() -> None:
    today = decode_page(ISO_2022_JP)
    again = decode_as(ISO_2022_JP, today.encoding)
    assert (again.text, again.encoding, again.notes) == (today.text, today.encoding, today.notes)


def test_a_big5_reading_is_replayed_with_its_damage_reported() -> None:
    read = decode_as(BIG5 + b"\xff\xff", "big5")
    assert read.text.startswith("<p>執行標準：T/DEMO 001-2019（上海標準）</p>")
    assert [w.code for w in read.warnings] == ["undecodable-bytes"]


def test_a_byte_order_mark_of_the_recorded_codec_is_not_text() -> None:
    raw = codecs.BOM_UTF16_LE + "<p>上海标准</p>".encode("utf-16-le")
    assert decode_as(raw, "utf-16-le").text == "<p>上海标准</p>"


def test_a_reading_that_cannot_be_replayed_alone_is_todays_with_a_note() -> None:
    mixed = decode_as(BIG5, "mixed-encoding")
    assert mixed.text == decode_page(BIG5).text
    assert mixed.notes[-1] == "the finding was made reading the page as mixed-encoding; shown as read now"
    unknown = decode_as(BIG5, "no-such-codec")
    assert unknown.notes[-1] == "the finding was made reading the page as no-such-codec; shown as read now"
