"""CSS colour values a page may paint text and backgrounds with: the named colours and hsl()/hsla().

Text in the background's colour is hidden (css_hiding.py), and a page can spell that colour as `ghostwhite`
on `#f8f8ff` or as `hsl(0, 0%, 100%)` on `white`: read only as #hex and rgb() (and a dozen names), such text
was read as shown. The table is CSS Color Module Level 4's named colours (its 148 names, grey spellings too).
"""

from __future__ import annotations

import math
import re

NAMED: dict[str, tuple[int, int, int]] = {
    name: (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    for name, value in (
        ("aliceblue", "f0f8ff"),
        ("antiquewhite", "faebd7"),
        ("aqua", "00ffff"),
        ("aquamarine", "7fffd4"),
        ("azure", "f0ffff"),
        ("beige", "f5f5dc"),
        ("bisque", "ffe4c4"),
        ("black", "000000"),
        ("blanchedalmond", "ffebcd"),
        ("blue", "0000ff"),
        ("blueviolet", "8a2be2"),
        ("brown", "a52a2a"),
        ("burlywood", "deb887"),
        ("cadetblue", "5f9ea0"),
        ("chartreuse", "7fff00"),
        ("chocolate", "d2691e"),
        ("coral", "ff7f50"),
        ("cornflowerblue", "6495ed"),
        ("cornsilk", "fff8dc"),
        ("crimson", "dc143c"),
        ("cyan", "00ffff"),
        ("darkblue", "00008b"),
        ("darkcyan", "008b8b"),
        ("darkgoldenrod", "b8860b"),
        ("darkgray", "a9a9a9"),
        ("darkgreen", "006400"),
        ("darkgrey", "a9a9a9"),
        ("darkkhaki", "bdb76b"),
        ("darkmagenta", "8b008b"),
        ("darkolivegreen", "556b2f"),
        ("darkorange", "ff8c00"),
        ("darkorchid", "9932cc"),
        ("darkred", "8b0000"),
        ("darksalmon", "e9967a"),
        ("darkseagreen", "8fbc8f"),
        ("darkslateblue", "483d8b"),
        ("darkslategray", "2f4f4f"),
        ("darkslategrey", "2f4f4f"),
        ("darkturquoise", "00ced1"),
        ("darkviolet", "9400d3"),
        ("deeppink", "ff1493"),
        ("deepskyblue", "00bfff"),
        ("dimgray", "696969"),
        ("dimgrey", "696969"),
        ("dodgerblue", "1e90ff"),
        ("firebrick", "b22222"),
        ("floralwhite", "fffaf0"),
        ("forestgreen", "228b22"),
        ("fuchsia", "ff00ff"),
        ("gainsboro", "dcdcdc"),
        ("ghostwhite", "f8f8ff"),
        ("gold", "ffd700"),
        ("goldenrod", "daa520"),
        ("gray", "808080"),
        ("green", "008000"),
        ("greenyellow", "adff2f"),
        ("grey", "808080"),
        ("honeydew", "f0fff0"),
        ("hotpink", "ff69b4"),
        ("indianred", "cd5c5c"),
        ("indigo", "4b0082"),
        ("ivory", "fffff0"),
        ("khaki", "f0e68c"),
        ("lavender", "e6e6fa"),
        ("lavenderblush", "fff0f5"),
        ("lawngreen", "7cfc00"),
        ("lemonchiffon", "fffacd"),
        ("lightblue", "add8e6"),
        ("lightcoral", "f08080"),
        ("lightcyan", "e0ffff"),
        ("lightgoldenrodyellow", "fafad2"),
        ("lightgray", "d3d3d3"),
        ("lightgreen", "90ee90"),
        ("lightgrey", "d3d3d3"),
        ("lightpink", "ffb6c1"),
        ("lightsalmon", "ffa07a"),
        ("lightseagreen", "20b2aa"),
        ("lightskyblue", "87cefa"),
        ("lightslategray", "778899"),
        ("lightslategrey", "778899"),
        ("lightsteelblue", "b0c4de"),
        ("lightyellow", "ffffe0"),
        ("lime", "00ff00"),
        ("limegreen", "32cd32"),
        ("linen", "faf0e6"),
        ("magenta", "ff00ff"),
        ("maroon", "800000"),
        ("mediumaquamarine", "66cdaa"),
        ("mediumblue", "0000cd"),
        ("mediumorchid", "ba55d3"),
        ("mediumpurple", "9370db"),
        ("mediumseagreen", "3cb371"),
        ("mediumslateblue", "7b68ee"),
        ("mediumspringgreen", "00fa9a"),
        ("mediumturquoise", "48d1cc"),
        ("mediumvioletred", "c71585"),
        ("midnightblue", "191970"),
        ("mintcream", "f5fffa"),
        ("mistyrose", "ffe4e1"),
        ("moccasin", "ffe4b5"),
        ("navajowhite", "ffdead"),
        ("navy", "000080"),
        ("oldlace", "fdf5e6"),
        ("olive", "808000"),
        ("olivedrab", "6b8e23"),
        ("orange", "ffa500"),
        ("orangered", "ff4500"),
        ("orchid", "da70d6"),
        ("palegoldenrod", "eee8aa"),
        ("palegreen", "98fb98"),
        ("paleturquoise", "afeeee"),
        ("palevioletred", "db7093"),
        ("papayawhip", "ffefd5"),
        ("peachpuff", "ffdab9"),
        ("peru", "cd853f"),
        ("pink", "ffc0cb"),
        ("plum", "dda0dd"),
        ("powderblue", "b0e0e6"),
        ("purple", "800080"),
        ("rebeccapurple", "663399"),
        ("red", "ff0000"),
        ("rosybrown", "bc8f8f"),
        ("royalblue", "4169e1"),
        ("saddlebrown", "8b4513"),
        ("salmon", "fa8072"),
        ("sandybrown", "f4a460"),
        ("seagreen", "2e8b57"),
        ("seashell", "fff5ee"),
        ("sienna", "a0522d"),
        ("silver", "c0c0c0"),
        ("skyblue", "87ceeb"),
        ("slateblue", "6a5acd"),
        ("slategray", "708090"),
        ("slategrey", "708090"),
        ("snow", "fffafa"),
        ("springgreen", "00ff7f"),
        ("steelblue", "4682b4"),
        ("tan", "d2b48c"),
        ("teal", "008080"),
        ("thistle", "d8bfd8"),
        ("tomato", "ff6347"),
        ("turquoise", "40e0d0"),
        ("violet", "ee82ee"),
        ("wheat", "f5deb3"),
        ("white", "ffffff"),
        ("whitesmoke", "f5f5f5"),
        ("yellow", "ffff00"),
        ("yellowgreen", "9acd32"),
    )
}

# hsl(120, 100%, 50%), hsla(120,100%,50%,0.5), hsl(120deg 100% 50% / 50%): hue, saturation, lightness, alpha.
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"
HSL = re.compile(
    rf"^hsla?\(\s*({_NUMBER})(deg|grad|rad|turn)?[\s,]+({_NUMBER})%?[\s,]+({_NUMBER})%?"
    rf"\s*(?:[,/]\s*({_NUMBER}%?)\s*)?\)$"
)
_TURN = {None: 360.0, "deg": 360.0, "grad": 400.0, "rad": 2 * math.pi, "turn": 1.0}


def hsl_rgb(match: re.Match[str]) -> tuple[int, int, int]:
    """The RGB of an HSL() match (CSS Color 4's conversion; saturation and lightness clamped)."""
    hue = float(match.group(1)) / _TURN[match.group(2)] % 1.0
    saturation = min(1.0, max(0.0, float(match.group(3)) / 100))
    lightness = min(1.0, max(0.0, float(match.group(4)) / 100))

    def channel(n: int) -> int:
        k = (n + hue * 12) % 12
        a = saturation * min(lightness, 1 - lightness)
        return round(255 * (lightness - a * max(-1.0, min(k - 3, 9 - k, 1.0))))

    return channel(0), channel(8), channel(4)
