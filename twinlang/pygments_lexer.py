"""A Pygments lexer for twinlang (`.twin` files), used to highlight the documentation.

Registered with Pygments through the ``pygments.lexers`` entry point ``twin`` (see
pyproject.toml), so ```` ```twin ```` blocks are highlighted by anything that uses Pygments
(MkDocs, Sphinx, ``pygmentize -l twin``).  It follows the TextMate grammar in
editors/vscode: keywords, declared names, plant tags, numbers with their units, strings with
escapes, comments, diagnostic codes and template placeholders.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["TwinLexer"]

#: A name (plant tags such as `V-101` included) or a template placeholder.
_NAME = r"(?:[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*|<<[^<>\n]+>>)"
_BEFORE = r"(?<![A-Za-z0-9_-])"
_AFTER = r"(?![A-Za-z0-9_]|-[A-Za-z0-9_])"
_UNIT = (r"[A-Za-z°µΩ][A-Za-z0-9_°µΩ]*(?:\^-?[0-9]+)?"
         r"(?:[*/·][A-Za-z°µΩ][A-Za-z0-9_°µΩ]*(?:\^-?[0-9]+)?)*")
_PERCENT = r"%(?:[ \t]*(?:LEL|LFL|vol)(?![A-Za-z0-9_]))?"
_NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"

_CONTROL = ("if", "else", "choose", "option", "on", "alarm", "goto", "resume", "abort", "call",
            "parallel", "branch", "during", "up", "to", "times", "within", "until")
_DECLARATION = ("scenario", "module", "role", "kind", "equipment", "substance", "reactivity",
                "incompatible", "energy_type", "procedure", "fault", "competency", "profile",
                "step", "param", "state")
_WORD_OPERATORS = ("and", "or", "not", "between", "is")
_OTHER = ("notify", "communicate", "work", "wait", "record", "apply", "remove", "issue", "sign",
          "revoke", "hold", "account", "clear", "area", "permit", "expect", "requires",
          "critical", "performed_by", "verified_by", "hint", "warning", "note", "use", "as",
          "allow", "because", "id", "version", "risk", "site", "description", "qualified",
          "stores", "transmits", "isolates", "action", "control_device", "lockable", "range",
          "doc", "feeds", "located_in", "contains", "at", "groups", "with", "stored", "roles",
          "energy", "from", "hazard", "class", "ppe", "boundary", "attendant", "rescue",
          "group_lockout", "shift_change", "trigger", "effect", "clears", "time", "when",
          "random", "probability", "seed", "every", "stuck", "leak", "drift", "by", "per",
          "sensor_failure", "reading", "lock_failure", "after", "never", "assesses", "based_on",
          "valid_for", "pass_score", "initial", "refresher", "weight", "for")
#: Words that may follow a number and are never its unit (`up to 3 times`, `2 weight`).
_NOT_UNITS = ("and", "or", "within", "for", "range", "doc", "weight", "critical", "per", "by",
              "seed", "every", "times", "during", "performed_by", "verified_by", "expect",
              "requires", "hint", "warning", "note", "to", "up")
_KEYWORDS = (*_CONTROL, *_DECLARATION, *_WORD_OPERATORS, *_OTHER, "true", "false")


def _kw(names) -> str:
    return words(sorted(names, key=lambda w: (-len(w), w)), prefix=_BEFORE, suffix=_AFTER)


class TwinLexer(RegexLexer):
    """Lexer for twinlang scenario and module files."""

    name = "twinlang"
    aliases = ["twin", "twinlang"]
    filenames = ["*.twin"]
    mimetypes = ["text/x-twinlang"]
    url = "https://github.com/twinlang/twinlang"

    tokens = {
        "root": [
            (r"[ \t\f]+", Whitespace),
            (r"\n", Whitespace),
            (r"#.*", Comment.Single),
            (r"<<[^<>\n]+>>", Name.Variable),
            (r'"', String.Double, "string"),
            # equipment TAG "title" is KIND
            (_BEFORE + r"(equipment)([ \t]+)(" + _NAME + r")(?:([ \t]+)(\"(?:[^\"\\\n]|\\.)*\"))?"
             r"([ \t]+)(is)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword.Declaration, Whitespace, Name.Constant, Whitespace,
                      String.Double, Whitespace, Operator.Word, Whitespace, Name.Class)),
            (_BEFORE + r"(kind)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (_BEFORE + r"(procedure|step)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (_BEFORE + r"(role|substance|reactivity|energy_type|fault|competency|profile|branch"
             r"|parallel)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword.Declaration, Whitespace, Name.Entity)),
            (_BEFORE + r"(param|state)([ \t]+)(" + _NAME + r")([ \t]*)(:)([ \t]*)(" + _NAME + ")"
             + _AFTER,
             bygroups(Keyword.Declaration, Whitespace, Name.Attribute, Whitespace, Punctuation,
                      Whitespace, Name.Builtin)),
            (_BEFORE + r"(use)([ \t]+)(" + _NAME + r"(?:\." + _NAME + r")*)(?=\.[{*])",
             bygroups(Keyword.Namespace, Whitespace, Name.Namespace)),
            (_BEFORE + r"(risk)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword, Whitespace, Name.Constant)),
            (_BEFORE + r"(goto|call)([ \t]+)(" + _NAME + ")" + _AFTER,
             bygroups(Keyword, Whitespace, Name.Function)),
            (_BEFORE + r"TW[0-9]{4}" + _AFTER, Name.Label),
            include("quantity"),
            (_kw(("true", "false")), Keyword.Constant),
            (_kw(_DECLARATION), Keyword.Declaration),
            (_kw(_WORD_OPERATORS), Operator.Word),
            (_kw(_CONTROL + _OTHER), Keyword),
            (r"(?<=[A-Za-z0-9_])(\.)(" + _NAME + ")",
             bygroups(Punctuation, Name.Attribute)),
            (r"<=|>=|==|!=|<|>|->|\.\.|=|\*", Operator),
            (r"[{}(),;:.]", Punctuation),
            (_BEFORE + _NAME + _AFTER, Name),
            (r".", Text),
        ],
        "quantity": [
            (_BEFORE + r"(" + _NUMBER + r")([ \t]*)(" + _PERCENT + ")",
             bygroups(Number, Whitespace, Keyword.Type)),
            (_BEFORE + r"(" + _NUMBER + r")([ \t]+)(?!(?:" + "|".join(_NOT_UNITS) + ")" + _AFTER
             + r")(" + _UNIT + ")",
             bygroups(Number, Whitespace, Keyword.Type)),
            (_BEFORE + _NUMBER + _AFTER, Number),
        ],
        "string": [
            (r'\\(?:["\\nt]|u\{[0-9A-Fa-f]{1,6}\})', String.Escape),
            (r"\\.", String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\n", Whitespace, "#pop"),  # a string ends on its line
        ],
    }

    def analyse_text(text: str) -> float:  # Pygments makes it static
        head = text.lstrip()[:200]
        if head.startswith(("scenario \"", "module \"")):
            return 0.6
        return 0.0
