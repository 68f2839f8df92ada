"""Stored-XSS payloads: well-known vectors, each calling `__xss(N)` (or alert/confirm/prompt
with N) when a browser runs it.

Drawn from the classic catalogues of the field (OWASP's XSS filter evasion cheat sheet,
PortSwigger's XSS cheat sheet, the mutation-XSS and polyglot write-ups): script tags and
their obfuscations, event handlers that fire on load, error, focus or toggle without a
click, `javascript:`/`data:`/`vbscript:` URLs, SVG and MathML, mutation XSS (markup that
changes meaning when parsed twice), breakouts from attributes, textarea, title, script,
comments and CDATA (for the Atom feeds), entity and escape tricks, and template-injection
strings. `payloads()` numbers them; `CALL` is replaced by `__xss(N)`.
"""

from __future__ import annotations

CALL = "CALL"

VECTORS = [
    # script elements and their obfuscations
    "<script>CALL</script>", "<ScRiPt>CALL</sCrIpT>", "<script >CALL</script >", "<script/x>CALL</script>",
    "<script type=module>CALL</script>", "<script>setTimeout('CALL')</script>",
    "<script>window['__x'+'ss'](N)</script>", "<script src=data:text/javascript,CALL></script>",
    "<scr<script>ipt>CALL</scr</script>ipt>", "<<script>CALL//<</script>", "<script>alert(N)</script>",
    # event handlers that need no click
    "<img src=x onerror=CALL>", "<img src=x onerror=\"CALL\">", "<img/src/onerror=CALL>", "<img src onerror=CALL>",
    "<IMG SRC=x OnErRoR=CALL>", "<img src=x onerror=confirm(N)>", "<img src=x:alert(alt) onerror=eval(src) alt=N>",
    "<img srcset=\",,,,,x\" onerror=CALL>", "<picture><source srcset=x><img onerror=CALL></picture>",
    "<image src=x onerror=CALL>", "<input type=image src=x onerror=CALL>", "<audio src=x onerror=CALL>",
    "<video><source onerror=CALL></video>", "<video src=x onerror=CALL></video>", "<svg onload=CALL>",
    "<svg/onload=CALL>", "<svg onload=prompt(N)>", "<body onload=CALL>", "<body/onpageshow=CALL>",
    "<details open ontoggle=CALL>", "<details/open/ontoggle=\"CALL\">", "<input autofocus onfocus=CALL>",
    "<select autofocus onfocus=CALL>", "<textarea autofocus onfocus=CALL>", "<keygen autofocus onfocus=CALL>",
    "<button autofocus onfocus=CALL>x</button>", "<a autofocus onfocus=CALL href=#>x</a>",
    "<div contenteditable autofocus onfocus=CALL>x</div>", "<marquee onstart=CALL>x</marquee>",
    "<object data=x onerror=CALL>", "<iframe onload=CALL>", "<iframe srcdoc=\"<script>parent.CALL</script>\">",
    "<style onload=CALL>", "<link rel=stylesheet href=x onerror=CALL>", "<track default src=x onerror=CALL>",
    "<input onblur=CALL autofocus><input autofocus>", "<form><button formaction=javascript:CALL>x</button></form>",
    # URLs with a script scheme
    "<a href=\"javascript:CALL\">x</a>", "<a href=\"JaVaScRiPt:CALL\">x</a>", "<a href=\" javascript:CALL\">x</a>",
    "<a href=\"jav&#x09;ascript:CALL\">x</a>", "<a href=\"&#106;avascript:CALL\">x</a>",
    "<iframe src=\"javascript:CALL\"></iframe>", "<iframe src=javascript:CALL>", "<object data=\"javascript:CALL\">",
    "<embed src=\"javascript:CALL\">", "<iframe src=\"data:text/html,<script>parent.CALL</script>\"></iframe>",
    "<object data=\"data:text/html,<script>parent.CALL</script>\">", "<embed src=\"data:image/svg+xml,<svg onload=parent.CALL>\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:CALL\">", "<base href=\"javascript:CALL//\">",
    "<a href=\"vbscript:msgbox(N)\">x</a>", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<video poster=javascript:CALL></video>", "<div style=\"background:url(javascript:CALL)\">x</div>",
    "<div style=\"width:expression(CALL)\">x</div>", "<style>@import 'javascript:CALL';</style>",
    "<link rel=import href=\"data:text/html,<script>CALL</script>\">",
    "javascript:CALL", "JaVaScRiPt:CALL", " javascript:CALL", "javascript&colon;CALL", "data:text/html,<script>CALL</script>",
    "vbscript:msgbox(N)",
    # SVG and MathML
    "<svg><script>CALL</script></svg>", "<svg><script>&#95;&#95;xss(N)</script></svg>",
    "<svg><animate onbegin=CALL attributeName=x dur=1s>", "<svg><set onbegin=CALL attributename=x to=1>",
    "<svg><discard onbegin=CALL>", "<svg><a xlink:href=\"javascript:CALL\"><text y=20>x</text></a></svg>",
    "<svg><foreignObject><iframe onload=CALL></iframe></foreignObject></svg>", "<svg><script href=data:,CALL />",
    "<svg><script xlink:href=data:,CALL></script></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='CALL'/></svg>#x\"/></svg>",
    "<math><maction actiontype=statusline xlink:href=javascript:CALL>x</maction></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=CALL>",
    # mutation XSS: harmless once parsed, harmful when the markup is parsed again
    "<noscript><p title=\"</noscript><img src=x onerror=CALL>\">",
    "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style><img onerror=CALL src>\">",
    "<style><img src=\"</style><img src=x onerror=CALL>\">", "<xmp><img src=\"</xmp><img src=x onerror=CALL>\">",
    "<title><img src=\"</title><img src=x onerror=CALL>\">", "<noembed><img title=\"</noembed><img src=x onerror=CALL>\">",
    "<iframe><img title=\"</iframe><img src=x onerror=CALL>\">", "<svg></p><style><a id=\"</style><img src=1 onerror=CALL>\">",
    "<math><mi><li><table><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=CALL src=1>\">",
    "<img src=\"x` `<script>CALL</script>\"` `>",
    # breaking out of where the text lands: attributes, elements, comments, JSON, CDATA
    "\"><img src=x onerror=CALL>", "'><img src=x onerror=CALL>", "\" autofocus onfocus=\"CALL\" x=\"",
    "' autofocus onfocus='CALL' x='", "</textarea><script>CALL</script>", "</title><script>CALL</script>",
    "</script><script>CALL</script>", "</script><svg onload=CALL>", "--><script>CALL</script>",
    "--!><script>CALL</script>", "<!--<script>--><script>CALL</script>", "<!--<script>", "</style><script>CALL</script>",
    "</noscript><script>CALL</script>", "</option></select><script>CALL</script>", "</a><script>CALL</script>",
    "\"};CALL;//", "';CALL;//", "\\\";CALL;//", "`${CALL}`", "\\u003cscript\\u003eCALL\\u003c/script\\u003e",
    "]]><script>CALL</script>", "<![CDATA[<script>CALL</script>]]>", "<script xmlns=\"http://www.w3.org/1999/xhtml\">CALL</script>",
    "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\">CALL</x:script>",
    "<html:img xmlns:html=\"http://www.w3.org/1999/xhtml\" src=\"x\" onerror=\"CALL\"/>",
    "<?xml-stylesheet href=\"data:,\"?><script>CALL</script>",
    # entities and escapes the browser decodes before running
    "<img src=x onerror=&#95;&#95;xss(N)>", "<img src=x onerror=&#x5f;&#x5f;xss&#x28;N&#x29;>",
    "<img src=x onerror=\\u005f_xss(N)>", "&lt;script&gt;CALL&lt;/script&gt;", "&#60;script&#62;CALL&#60;/script&#62;",
    "%3Cscript%3ECALL%3C/script%3E", "<img src=x onerror=eval(atob('X194c3MoMSk='))>",
    # template injection: must show as typed, never be evaluated
    "{{7*7}}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "{{constructor.constructor('CALL')()}}",
    "{{ config }}", "{% for x in range(3) %}x{% endfor %}", "{{''.__class__.__mro__[1].__subclasses__()}}",
    "[[${7*7}]]", "*{7*7}", "@(7*7)",
    # polyglots
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=CALL )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>"
    "\\x3csVg/<sVg/oNloAd=CALL//>\\x3e",
    "\"'--></style></script><svg onload=CALL>", "'\"><svg/onload=CALL>`", "\"><svg><script>CALL</script>",
]

# The short vectors again, behind each breakout, so every context is tried with each.
BREAKOUTS = ["\">", "'>", "</textarea>", "</title>", "-->", "]]>"]
SHORT = ["<img src=x onerror=CALL>", "<svg onload=CALL>", "<script>CALL</script>", "<details open ontoggle=CALL>"]


def payloads() -> list[str]:
    """Return every payload, numbered: the Nth calls `__xss(N)` (or alerts N)."""
    templates = list(dict.fromkeys(VECTORS + [b + s for b in BREAKOUTS for s in SHORT]))
    return [t.replace(CALL, f"__xss({n})").replace("(N)", f"({n})").replace("=N>", f"={n}>")
            for n, t in enumerate(templates)]


def chunks(items: list[str], limit: int) -> list[list[str]]:
    """Group `items` into runs whose joined length stays within `limit` characters."""
    groups: list[list[str]] = [[]]
    for item in items:
        if groups[-1] and len(" ".join(groups[-1] + [item])) > limit:
            groups.append([])
        groups[-1].append(item)
    return groups
