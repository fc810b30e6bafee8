#!/usr/bin/env python3
"""Seeded random generator of alidist-format recipe sets that stress a resolver.

Usage:
  gen_recipes.py --seed N --out DIR [--packages K] [--shape random|stack] [--cycle]
                 [--error-rate F] [--stats]

Writes DIR/<lower(name)>.sh for every package, DIR/defaults-release.sh,
DIR/defaults-<other>.sh (sometimes DIR/defaults-<arch>.sh) and DIR/case.json:

  {"targets": [...], "defaults": "release" | "<other>", "arch": "...",
   "disable": [...], "date": "YYYY-MM-DD-HH", "git_refs": {url: {branch: sha}},
   "no_system": null | "*" | "a,b",      # extra: --no-system / --no-system-packages
   "alidist_branch": "master" | ...,     # extra: value for --alidist-branch
   "expect_error": null | "<kind>",      # extra: the error planted on purpose
   "features": [...],                    # extra: what this set exercises
   "seed": N, "shape": "..."}

The same seed always gives byte-identical files. Shapes:
  random  K packages (default: 8-40, drawn from the seed) in a random DAG, with
          every feature below drawn at random; a minority of sets plant one
          aliBuild error on purpose (see ERROR_KINDS), --cycle adds a cycle.
  stack   shaped like an experiment software stack for benchmarks: with
          --packages 300, about 100 packages in the target's closure, about 500
          dependency edges in that closure, env blocks on most packages, some
          overrides / disables / prefer_system checks, and no planted error.

Needs PyYAML (re-executes itself with <repo>/.venv/bin/python if missing):
every scalar written without quotes is checked to load back as intended.
"""

import argparse
import json
import os
import random
import re
import string
import sys
from collections import OrderedDict
from os.path import abspath, dirname, exists, join

try:
  import yaml
except ImportError:  # pragma: no cover - depends on the interpreter
  _venv = join(dirname(dirname(dirname(abspath(__file__)))), ".venv", "bin", "python")
  if exists(_venv) and abspath(sys.executable) != _venv:
    os.execv(_venv, [_venv] + sys.argv)
  sys.exit("gen_recipes.py needs PyYAML")


ARCHS = ("slc9_x86-64", "slc7_x86-64", "slc8_x86-64", "ubuntu2204_x86-64",
         "ubuntu2404_x86-64", "osx_arm64", "osx_x86-64", "slc9_aarch64",
         "fedora39_x86-64")

# Regexes for "Name:<regex>" (re.match against the arch, i.e. anchored at the
# start only). Each is classified against the chosen arch at generation time.
ARCH_REGEXES = ("osx", "(?!osx)", "slc", "slc[5-9]", "slc7", "slc9", "ubuntu",
                "ubuntu22", "fedora", ".*_x86-64", ".*_arm64", ".*aarch64",
                "x86-64",  # never matches: re.match anchors at the start
                "(?!slc7)", "(slc|ubuntu).*", "osx_arm64$", ".*", "")

OTHER_DEFAULTS = ("o2", "dev-next", "gen_x", "o2-epn", "next", "root6", "user")

# Errors a set may plant on purpose (one at most per set).
ERROR_KINDS = ("valid-defaults-violation", "failed-system-requirement",
               "missing-recipe", "wrong-case", "version-not-string",
               "malformed-yaml", "sysreq-with-recipe", "tag-from-templated-version",
               "missing-package-field", "bad-version-format")

NAME_STEMS = ("zlib", "boost", "fmt", "lz4", "root", "geant", "vc", "arrow", "protobuf",
              "grpc", "curl", "ssl", "xrootd", "yaml", "json", "cmake", "ninja", "python",
              "numpy", "hepmc", "pythia", "fairroot", "fairlogger", "o2", "qualitycontrol",
              "monitoring", "configuration", "common", "readout", "cgal", "gmp", "mpfr",
              "tbb", "eigen", "glfw", "alien", "libuv", "libxml", "sqlite", "gsl", "fftw",
              "rapidjson", "ms-gsl", "clhep", "vgm", "delphes", "onnx", "abseil", "re2")
NAME_SUFFIXES = ("", "", "", "-core", "-runtime", "-toolchain", "_data", "-v2", "lib", "3",
                 "-Python", "Base")

ENV_KEYS = ("ROOTSYS", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "CMAKE_PREFIX_PATH",
            "PKG_CONFIG_PATH", "ROOT_INCLUDE_PATH", "MANPATH", "G4LEDATA", "CXXSTD",
            "CFLAGS", "CXXFLAGS", "JAVA_HOME", "DYLD_LIBRARY_PATH", "ALIBUILD_TEST",
            "XDG_DATA_DIRS", "PERL5LIB", "G4NEUTRONHPDATA", "BOOST_ROOT", "FOO_DATA")

# String pieces for env values: quoting, backslashes, $VAR, non-ASCII, YAML traps.
STRING_PIECES = (
    "$%(UP)s_ROOT/lib", "$%(UP)s_ROOT/bin", "${%(UP)s_ROOT}/share", "/usr/local",
    "it's", 'say "hi"', "both ' and \"", "C:\\temp", "a\\nb", "\\$HOME", "back\\\\slash",
    "é", "über", "日本語", "🚀", "Ωmega", "naïve café", "x", "-O2 -g", "--flag=1",
    "#notcomment", "a: b", "- dash", "*star", "&amp", "!bang", "{brace}", "[x]", "%pct",
    "%(tag)s", "@at", "`tick`", "yes", "NO", "123", "0.5", "null", "~", "1e3", " lead",
    "trail ", "",
)
RARE_PIECES = ("tab\there", "line\nbreak", "nb\u00a0sp", "zero\u200bwidth", "bell\x07",
               "ctrl\x1b[0m", "\U0001F9EA")

# YAML 1.1 scalars that do not load as strings (value is whatever PyYAML says).
SIMPLE_NON_STRINGS = ("42", "0", "-3", "2024", "true", "false", "3.14", "2.5", "1.0",
                      "-0.25", "~", "null")
EXOTIC_NON_STRINGS = ("0x1F", "017", "1_000", "1:30", "+12", "yes", "no", "on", "Off",
                      "NO", "1.0e+3", "6.02e+23", ".5", ".inf", "-.Inf", ".nan",
                      "2024-01-31", "2001-12-14t21:59:43.10-05:00", "1_0.5")

BODY_LINES = (
    "cmake $SOURCEDIR -DCMAKE_INSTALL_PREFIX=$INSTALLROOT",
    "make ${JOBS+-j $JOBS} install",
    "echo 'é ü 日本 🚀'",
    "rsync -a $SOURCEDIR/ ./",
    "./configure --prefix=\"$INSTALLROOT\"",
    "# ---- this is not a separator any more ----",
    "mkdir -p \"$INSTALLROOT/etc/modulefiles\"",
    "alibuild-generate-module --bin --lib > \"$INSTALLROOT/etc/modulefiles/$PKGNAME\"",
    "case $ARCHITECTURE in osx*) export X=1 ;; *) ;; esac",
    "\tindented_with_tab",
    "printf '%s\\n' \"$PKGVERSION\"   ",
    "cat > x.txt <<\\EOF\n$NOT_EXPANDED \\ backslash\nEOF",
)

LICENSES = ("GPL-2.0-only", "LGPL-2.1", "Apache-2.0", "BSD-3-Clause", "MIT", "custom")


class Lit:
  """A YAML scalar written verbatim (for non-string scalars)."""

  def __init__(self, text: str) -> None:
    self.text = text


class Raw:
  """YAML text written verbatim after "key:" (e.g. duplicate mapping keys)."""

  def __init__(self, text: str) -> None:
    self.text = text


# --------------------------------------------------------------------------
# YAML writing
# --------------------------------------------------------------------------

_LOADS = {}


def _loads(text: str):
  """yaml.safe_load with a cache; returns a sentinel on parse errors."""
  if text not in _LOADS:
    try:
      _LOADS[text] = yaml.safe_load(text)
    except yaml.YAMLError:
      _LOADS[text] = _LOADS  # sentinel: never equal to a real value
  return _LOADS[text]


def _same(a, b) -> bool:
  """Equality that also tells 1 from True and 1.0 from 1 (types matter for repr)."""
  return type(a) is type(b) and a == b


class YamlWriter:
  """Renders Python values as YAML text with randomly varied styles."""

  def __init__(self, rng: random.Random) -> None:
    self.rng = rng

  def scalar(self, value, ctx: str = "map") -> str:
    """ctx: "map" (mapping value), "seq" (block item), "flow" (flow item), "key"."""
    if isinstance(value, Lit):
      return value.text
    if value is None:
      return self.rng.choice(("~", "null"))
    if isinstance(value, bool):
      return "true" if value else "false"
    if isinstance(value, (int, float)):
      return repr(value)
    return self.string(value, ctx)

  @staticmethod
  def plain_ok(text: str, ctx: str) -> bool:
    """Does `text` without quotes load back as exactly this string here?"""
    if not text or text != text.strip() or "\n" in text or "\t" in text:
      return False
    doc, want = {"map": ("k: %s\n", {"k": text}), "seq": ("- %s\n", [text]),
                 "flow": ("[%s]\n", [text]), "key": ("%s: 1\n", {text: 1})}[ctx]
    loaded = _loads(doc % text)
    if loaded != want:
      return False
    got = next(iter(loaded)) if ctx == "key" else (loaded["k"] if ctx == "map" else loaded[0])
    return type(got) is str

  def string(self, text: str, ctx: str = "map") -> str:
    """Plain when that loads back identically, else single or double quoted."""
    style = self.rng.choices(("plain", "single", "double"), (6, 2, 2))[0]
    if style == "plain":
      if self.plain_ok(text, ctx):
        return text
      style = self.rng.choice(("single", "double"))
    if style == "single" and all(ch.isprintable() for ch in text):
      return "'" + text.replace("'", "''") + "'"
    return self.double_quoted(text)

  def double_quoted(self, text: str) -> str:
    out = []
    escape_non_ascii = self.rng.random() < 0.3
    for ch in text:
      code = ord(ch)
      if ch == "\\":
        out.append("\\\\")
      elif ch == '"':
        out.append('\\"')
      elif ch == "\n":
        out.append("\\n")
      elif ch == "\t":
        out.append("\\t")
      elif code < 0x20 or code == 0x7f or not ch.isprintable() or (
          code > 0x7f and escape_non_ascii):
        if code <= 0xff:
          out.append("\\x%02x" % code)
        elif code <= 0xffff:
          out.append("\\u%04x" % code)
        else:
          out.append("\\U%08x" % code)
      else:
        out.append(ch)
    return '"' + "".join(out) + '"'

  def flow(self, value) -> str:
    """A value in flow style (used for nested lists and mappings)."""
    if isinstance(value, list):
      return "[" + ", ".join(self.flow(v) for v in value) + "]"
    if isinstance(value, dict):
      return "{" + ", ".join("%s: %s" % (self.scalar(k, "flow"), self.flow(v))
                             for k, v in value.items()) + "}"
    return self.scalar(value, "flow")

  def seq(self, items, indent: int) -> str:
    """A list, flow ([a, b]) or block (- a) style; the text after "key:"."""
    if not items:
      return " []"
    if self.rng.random() < 0.35:
      return " " + self.flow(items)
    pad = " " * indent
    return "\n" + "\n".join(
        pad + "- " + (self.flow(item) if isinstance(item, (list, dict)) else self.scalar(item, "seq"))
        for item in items)

  def mapping(self, mapping, indent: int) -> str:
    """A mapping, block style (sometimes flow); the text after "key:"."""
    if not mapping:
      return " {}"
    if self.rng.random() < 0.05:
      return " " + self.flow(mapping)
    pad = " " * indent
    lines = []
    for key, value in mapping.items():
      key_text = self.scalar(key, "key")
      if isinstance(value, Raw):
        lines.append(pad + key_text + ":" + value.text)
      elif isinstance(value, list):
        lines.append(pad + key_text + ":" + self.seq(value, indent + 2))
      elif isinstance(value, dict):
        lines.append(pad + key_text + ":" + self.mapping(value, indent + 2))
      elif value is None and self.rng.random() < 0.5:
        lines.append(pad + key_text + ":")  # an empty value loads as None
      else:
        lines.append(pad + key_text + ": " + self.scalar(value))
    return "\n" + "\n".join(lines)

  def key_value(self, key: str, value) -> str:
    if isinstance(value, Raw):
      return key + ":" + value.text
    if isinstance(value, list):
      return key + ":" + self.seq(value, self.rng.choice((2, 2, 4)))
    if isinstance(value, dict):
      return key + ":" + self.mapping(value, self.rng.choice((2, 2, 4)))
    return key + ": " + self.scalar(value)


# --------------------------------------------------------------------------
# The model of one generated set
# --------------------------------------------------------------------------

class Package:
  def __init__(self, index: int, name: str) -> None:
    self.index = index
    self.name = name
    self.header = OrderedDict()      # key -> value (Python values / Lit)
    self.requires = []               # dependency entries, as written
    self.build_requires = []
    self.deps = set()                # indices this recipe may depend on
    self.body = ""
    self.raw_header = None           # replaces the rendered header if set
    self.crlf = False
    self.separator = "---"


class Generator:
  def __init__(self, seed: int, packages, shape: str, cycle: bool, error_rate: float) -> None:
    self.seed = seed
    self.rng = random.Random(seed)
    self.shape = shape
    self.cycle = cycle
    self.y = YamlWriter(self.rng)
    rng = self.rng
    if packages is None:
      packages = rng.randint(8, 40) if shape == "random" else 300
    self.k = packages
    self.features = set()
    self.arch = rng.choice(ARCHS)
    self.other_defaults = rng.choice(OTHER_DEFAULTS)
    self.defaults = rng.choice(("release", self.other_defaults))
    self.date = "%04d-%02d-%02d-%02d" % (rng.randint(2019, 2030), rng.randint(1, 12),
                                          rng.randint(1, 28), rng.randint(0, 23))
    year, month, day, hour = self.date.split("-")
    self.now = {"year": year, "month": month, "day": day, "hour": hour}
    self.alidist_branch = rng.choices(("master", "v5-09-patches", "dev", "stable/v1"),
                                      (6, 2, 1, 1))[0]
    self.no_system = None
    if rng.random() < 0.2:
      self.no_system = "*"
      self.features.add("no-system")
    self.exotic = shape == "random" and rng.random() < 0.25
    if self.exotic:
      self.features.add("yaml11-exotic-scalars")
    self.error = None
    if shape == "random" and rng.random() < error_rate:
      self.error = rng.choice(ERROR_KINDS)
    self.pkgs = []
    self.ghosts = []                 # names without a recipe
    self.disable_cli = []
    self.defaults_files = {}         # defaults name -> header dict
    self.overrides = {}              # defaults name -> OrderedDict(key -> dict)
    self.targets = []
    self.git_refs = {}

  # ---- names -------------------------------------------------------------

  def make_names(self, count: int):
    rng = self.rng
    names, seen = [], set()
    while len(names) < count:
      stem = rng.choice(NAME_STEMS)
      name = stem + rng.choice(NAME_SUFFIXES)
      if rng.random() < 0.25:
        name = name.capitalize()
      elif rng.random() < 0.15:
        name = name.upper()
      elif rng.random() < 0.2:
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
      if len(names) >= len(NAME_STEMS) // 2 or name.lower() in seen:
        name = name + str(rng.randint(2, 999))
      if name.lower() in seen or name.lower().startswith("defaults"):
        continue
      seen.add(name.lower())
      names.append(name)
    return names

  def fresh_name(self, prefix: str) -> str:
    taken = {p.name.lower() for p in self.pkgs} | {g.lower() for g in self.ghosts}
    for attempt in range(10000):
      if attempt == 50:
        prefix = "q"  # an override such as "g.*" may cover the whole prefix
      name = prefix + "".join(self.rng.choice(string.ascii_lowercase) for _ in range(4 + attempt // 100))
      if name.lower() not in taken and not self.override_matches(name):
        return name
    raise RuntimeError("no free package name")

  def override_matches(self, name: str) -> bool:
    """Does any override key of the chosen defaults apply to this package?"""
    return any(re.fullmatch(key, name.lower())
               for key in self.overrides.get(self.defaults, {}))

  # ---- dependency entries --------------------------------------------------

  def dep_entry(self, name: str, allow_filters: bool = True):
    """A requires entry for `name`; returns (text, taken) where taken says
    whether aliBuild will follow it for the chosen arch and defaults."""
    rng = self.rng
    roll = rng.random()
    plain = 0.70 if self.shape == "random" else 0.92
    if not allow_filters or roll < plain:
      return name, True
    if roll < plain + (1 - plain) * 0.55:
      rx = rng.choice(ARCH_REGEXES)
      self.features.add("arch-filter")
      return "%s:%s" % (name, rx), re.match(rx, self.arch) is not None
    pool = ("release", "rel", "o2", "(?!release)", ".*", "", self.other_defaults,
            self.other_defaults[:2], "(release|%s)" % self.other_defaults,
            "%s$" % self.other_defaults, "RELEASE", "dev")
    rx = rng.choice(pool)
    self.features.add("defaults-filter")
    return "%s:defaults=%s" % (name, rx), re.match(rx, self.defaults) is not None

  # ---- values ------------------------------------------------------------

  def string_value(self, upper: str) -> str:
    rng = self.rng
    pieces = []
    for _ in range(rng.choice((1, 1, 2, 3))):
      piece = rng.choice(RARE_PIECES) if rng.random() < 0.04 else rng.choice(STRING_PIECES)
      pieces.append(piece % {"UP": upper} if "%(UP)s" in piece else piece)
    return rng.choice(("", "", ":", " ", "/")).join(pieces)

  def env_value(self, upper: str, path: bool):
    rng = self.rng
    roll = rng.random()
    if roll < 0.08:
      self.features.add("non-string-env")
      pool = EXOTIC_NON_STRINGS if self.exotic and rng.random() < 0.5 else SIMPLE_NON_STRINGS
      return Lit(rng.choice(pool))
    if roll < (0.45 if path else 0.2):
      self.features.add("list-env")
      items = [self.string_value(upper) for _ in range(rng.choice((0, 1, 2, 2, 3)))]
      if rng.random() < 0.1:
        items.append(Lit(rng.choice(SIMPLE_NON_STRINGS)))
      return items
    return self.string_value(upper)

  def env_block(self, name: str, path: bool):
    rng = self.rng
    upper = name.upper().replace("-", "_")
    block = OrderedDict()
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
      key = rng.choice(ENV_KEYS + ("%s_ROOT" % upper, "%s_DATA" % upper))
      if self.exotic and rng.random() < 0.1:
        key = rng.choice((Lit("1"), "ÉTÉ_VAR", "lower_case", Lit("true")))
      block[key] = self.env_value(upper, path)
    return block

  def version_value(self, has_source: bool, has_tag: bool) -> str:
    rng = self.rng
    plain = ("v1.2.3", "1.0", "v6-32-06", "2.0.1", "v%d.%d" % (rng.randint(0, 9), rng.randint(0, 20)),
             "v1.2/3", "20240101", "1.0-é")
    templates = ["v%(year)s%(month)s", "rc-%(day)s%(hour)s", "v1%%2"]
    if has_tag or not has_source:
      # Without a tag the tag is the version text, and with a source
      # resolve_tag formats it with the date keys only: anything else raises.
      templates += ["%(tag_basename)s", "%(tag)s", "%(tag_basename)s%(defaults_upper)s",
                    "%(branch_stream)s", "%(branch_basename)s-x", "%(short_hash)s",
                    "%(commit_hash)s", "fortran-%(short_hash)s"]
    if rng.random() < 0.4:
      self.features.add("version-template")
      return rng.choice(templates)
    return rng.choice(plain)

  def tag_value(self) -> str:
    rng = self.rng
    return rng.choice(("v1.2.3", "release/v1.2", "master", "dev", "v6-32-00-patches",
                       "nightly-%(year)s%(month)s%(day)s", "stable-%(hour)s", "v%d" % rng.randint(1, 9),
                       "alice/v2.1.0", "O2-1.0"))

  # ---- building the set ----------------------------------------------------

  def build(self) -> None:
    if self.shape == "stack":
      self.build_stack_graph()
    else:
      self.build_random_graph()
    self.make_defaults()
    for pkg in self.pkgs:
      self.fill_package(pkg)
    self.plant_error()
    if self.cycle:
      self.plant_cycle()
    self.choose_disables()
    self.make_git_refs()
    preferring = [p.name for p in self.pkgs if "prefer_system" in p.header]
    if self.no_system is None and preferring and self.rng.random() < 0.1:
      # --no-system A,B: only these packages skip their prefer_system_check.
      self.no_system = ",".join(self.rng.sample(preferring, min(2, len(preferring))))
      self.features.add("no-system-list")

  def build_random_graph(self) -> None:
    rng = self.rng
    names = self.make_names(self.k)
    self.pkgs = [Package(i, n) for i, n in enumerate(names)]
    ntargets = rng.choice((1, 1, 1, 2, 3)) if self.k > 3 else 1
    self.targets = [p.name for p in self.pkgs[:ntargets]]
    for pkg in self.pkgs[1:]:
      # Keep most of the set reachable: every package gets a parent before it.
      if rng.random() < 0.9:
        rng.choice(self.pkgs[:pkg.index]).deps.add(pkg.index)
    for pkg in self.pkgs:
      later = list(range(pkg.index + 1, self.k))
      for j in rng.sample(later, min(len(later), rng.choice((0, 1, 1, 2, 2, 3, 4)))):
        pkg.deps.add(j)

  def build_stack_graph(self) -> None:
    """One target whose closure holds about k/3 packages with ~5 deps each.

    Indices: 0 is the target, 1..k-core are recipes outside the closure (other
    top-level packages, which may use the core), the last core-1 indices are
    the core stack. Every edge points to a higher index, so the graph is a DAG.
    """
    rng = self.rng
    names = self.make_names(self.k)
    self.pkgs = [Package(i, n) for i, n in enumerate(names)]
    core = max(2, self.k // 3)
    stack = [0] + list(range(self.k - core + 1, self.k))   # topological order
    self.targets = [self.pkgs[0].name]
    # A spanning tree first, so the whole core is reachable from the target.
    for pos in range(1, len(stack)):
      parent = stack[rng.randrange(max(0, pos - 15), pos)]
      self.pkgs[parent].deps.add(stack[pos])
    edges, wanted = len(stack) - 1, int(5.3 * len(stack))
    while edges < wanted:
      pos = rng.randrange(0, len(stack) - 1)
      # Dependencies lean towards the low-level end of the stack.
      span = len(stack) - pos - 1
      other = pos + 1 + min(span - 1, int(rng.expovariate(3.0 / span)))
      if stack[other] not in self.pkgs[stack[pos]].deps:
        self.pkgs[stack[pos]].deps.add(stack[other])
        edges += 1
    for i in range(1, self.k - core + 1):
      later = range(i + 1, self.k)
      self.pkgs[i].deps.update(rng.sample(later, min(len(later), rng.choice((0, 1, 2, 3)))))
    self.features.add("stack")

  def make_defaults(self) -> None:
    """defaults-release.sh and defaults-<other>.sh with env/disable/overrides."""
    rng = self.rng
    for dname in ("release", self.other_defaults):
      head = OrderedDict()
      head["package"] = "defaults-" + dname
      head["version"] = rng.choice(("v1", "v1", "v1", "%(defaults_upper)s-v1"))
      env = OrderedDict()
      env["CFLAGS"] = rng.choice(("-fPIC -O2", "-fPIC -g -O0", "-O3 -march=native"))
      env["CXXFLAGS"] = "-fPIC -O2 -std=c++%d" % rng.choice((17, 20))
      env["CMAKE_BUILD_TYPE"] = rng.choice(("RELEASE", "RelWithDebInfo", "Debug"))
      env["CXXSTD"] = Lit(rng.choice(("17", "20", '"20"')))
      if rng.random() < 0.3:
        env["MSG"] = self.string_value("DEFAULTS")
      if rng.random() < 0.9:
        head["env"] = env
      disable = []
      if rng.random() < (0.4 if self.shape == "random" else 0.2) and self.k > 3:
        disable = [p.name for p in rng.sample(self.pkgs[1:], rng.choice((1, 1, 2)))]
      if rng.random() < 0.3:
        disable.append(self.fresh_ghost())
      if disable:
        head["disable"] = disable if (len(disable) > 1 or rng.random() < 0.7) else disable[0]
      head["overrides"] = self.make_overrides(dname)
      if not head["overrides"] and rng.random() < 0.5:
        del head["overrides"]
      self.defaults_files[dname] = head

  def fresh_ghost(self) -> str:
    name = self.fresh_name("Ghost")
    self.ghosts.append(name)
    return name

  def make_overrides(self, dname: str):
    rng = self.rng
    overrides = OrderedDict()
    target_names = {t.lower() for t in self.targets}
    for _ in range(rng.choice((0, 1, 2, 3, 4) if self.shape == "random" else (8, 12, 16))):
      kind = rng.random()
      pkg = rng.choice(self.pkgs)
      if kind < 0.4:
        key = rng.choice((pkg.name.upper(), pkg.name.lower(), pkg.name.swapcase(), pkg.name))
        self.features.add("override-exact-other-case")
      elif kind < 0.75:
        stem = pkg.name.lower()[:rng.randint(1, min(4, len(pkg.name)))]
        key = rng.choice((re.escape(stem) + ".*", "(%s|%s)" % (re.escape(pkg.name.lower()),
                          re.escape(rng.choice(self.pkgs).name.lower())),
                          re.escape(stem).upper() + "[A-Z0-9_-]*"))
        self.features.add("override-regex")
      elif kind < 0.85:
        key = "nomatch-" + pkg.name
      elif kind < 0.9:
        key = rng.choice(("defaults-.*", "defaults-release"))
        self.features.add("override-defaults")
      else:
        key = pkg.name.lower()
      matched = [p for p in self.pkgs if re.fullmatch(key.lower(), p.name.lower())]
      body = OrderedDict()
      for field in rng.sample(("version", "tag", "requires", "env", "prepend_path",
                               "build_requires", "source"), rng.choice((1, 1, 2, 3))):
        if field == "version":
          body["version"] = self.version_value(has_source=False, has_tag=True)
          if "%(" in body["version"] and "tag" not in body:
            body["tag"] = self.tag_value()  # see version_value
        elif field == "tag":
          body["tag"] = self.tag_value()
        elif field == "source":
          body["source"] = "https://github.com/alisw/override-%d" % rng.randint(1, 3)
          # A package without a tag would take its (maybe templated) version
          # as tag, and resolve_tag only knows the date keys.
          body.setdefault("tag", self.tag_value())
        elif field in ("requires", "build_requires"):
          # Replacing whole lists must not create a cycle, nor drop the
          # dependencies through which planted errors are reached.
          # (Keys such as "de.*" also match defaults-release, which everything
          # depends on: new dependencies there make a cycle.)
          if any(m.name.lower() in target_names for m in matched) or \
             re.fullmatch(key.lower(), "defaults-release"):
            continue
          low = max([m.index for m in matched], default=self.k)
          later = [p for p in self.pkgs if p.index > low]
          deps = [self.dep_entry(p.name)[0] for p in rng.sample(later, min(len(later), rng.randint(0, 2)))]
          body[field] = deps  # all later than every matched package: no cycle
          self.features.add("override-requires")
        elif field == "env":
          body["env"] = self.env_block(pkg.name, path=False)
        else:
          body["prepend_path"] = self.env_block(pkg.name, path=True)
      if rng.random() < 0.05:
        body = None  # "key:" with no value: applies nothing
      overrides[key] = body
    self.overrides[dname] = OrderedDict((k.lower(), v) for k, v in overrides.items())
    return overrides

  def fill_package(self, pkg: Package) -> None:
    rng = self.rng
    random_shape = self.shape == "random"
    head = pkg.header
    has_source = rng.random() < 0.75
    has_tag = has_source and rng.random() < 0.75 or rng.random() < 0.1
    head["package"] = pkg.name
    head["version"] = self.version_value(has_source, has_tag)
    if has_tag:
      head["tag"] = self.tag_value()
    if has_source:
      url = "https://github.com/alisw/%s" % pkg.name.lower()
      if rng.random() < 0.05:
        url = "https://github.com/alisw/shared-monorepo"
        self.features.add("shared-source")
      head["source"] = url
    # Dependencies: requires / build_requires, occasional duplicates and
    # filtered-out references to packages that have no recipe at all.
    for j in sorted(pkg.deps):
      dep = self.pkgs[j].name
      entry, _ = self.dep_entry(dep, allow_filters=True)
      (pkg.build_requires if rng.random() < 0.3 else pkg.requires).append(entry)
      if rng.random() < 0.04:
        pkg.build_requires.append(dep)
        self.features.add("duplicate-dep")
    if random_shape and rng.random() < 0.1:
      ghost = self.fresh_ghost()
      entry = None
      for _ in range(20):
        candidate, taken = self.dep_entry(ghost)
        if not taken:
          entry = candidate
          break
      if entry:
        pkg.requires.append(entry)
        self.features.add("filtered-out-missing-dep")
    if rng.random() < 0.02 and pkg.index != 0:
      pkg.requires.append("defaults-release")
      self.features.add("explicit-defaults-dep")
    rng.shuffle(pkg.requires)
    if pkg.requires or rng.random() < 0.05:
      head["requires"] = pkg.requires
    if pkg.build_requires:
      head["build_requires"] = pkg.build_requires
    # Environment.
    env_prob = 0.85 if not random_shape else 0.5
    for key, path in (("env", False), ("prepend_path", True), ("append_path", True)):
      if rng.random() < (env_prob if key != "append_path" else env_prob / 4):
        head[key] = self.env_block(pkg.name, path)
    if random_shape and rng.random() < 0.03:
      # The later value wins, at the position of the first occurrence.
      head["env"] = Raw("\n  DUP: first\n  OTHER: x\n  DUP: second")
      self.features.add("duplicate-yaml-key")
    # System checks (never on targets: planted errors go through them).
    if pkg.name not in self.targets:
      self.system_checks(pkg)
    if rng.random() < 0.08:
      vd = rng.sample(["release", self.other_defaults, "o2", "dev"], rng.randint(1, 3))
      if self.defaults not in vd:
        vd.append(self.defaults)  # violations are planted explicitly
      head["valid_defaults"] = vd if len(vd) > 1 or rng.random() < 0.5 else vd[0]
      self.features.add("valid-defaults")
    if random_shape and rng.random() < 0.04:
      head["track_env"] = OrderedDict([("%s_TRACK" % pkg.name.upper().replace("-", "_"),
                                        rng.choice(('echo "$ARCHITECTURE-x"', "printf 'é%s' 1",
                                                    "echo one; echo two")))])
      self.features.add("track-env")
    if self.arch.startswith("osx") and rng.random() < 0.2:
      head["relocate_paths"] = rng.choice((["bin", "lib"], ["lib", "bin", "libexec"], "lib"))
      self.features.add("relocate-paths")
    # Keys aliBuild does not interpret.
    for key in rng.sample(("license", "tools", "maintainer", "variables", "from", "x-note",
                           "write_repo", "incremental_recipe", "system_requirement_missing"),
                          rng.choice((0, 0, 1, 2))):
      head[key] = {"license": rng.choice(LICENSES), "tools": ["cmake", "ninja"],
                   "maintainer": "Zoë <z@example.org>", "variables": {"a": 1},
                   "from": "ROOT", "x-note": {"é": [1, "two"]},
                   "write_repo": "https://example.org/%s.git" % pkg.name,
                   "incremental_recipe": "make -j$JOBS install",
                   "system_requirement_missing": "install it"}[key]
      self.features.add("unknown-keys")
    # Body.
    if "system_requirement" not in head:
      pkg.body = self.body_text()
    elif rng.random() < 0.2:
      pkg.body = rng.choice(("\n\n", "  \n\t", "\n"))
      self.features.add("whitespace-only-sysreq-body")
    # A system_requirement recipe must be empty once stripped of "\n\t ":
    # a CRLF file leaves "\r", an odd separator leaves text; both fail.
    if random_shape and rng.random() < 0.02 and "system_requirement" not in head:
      pkg.crlf = True
      self.features.add("crlf")
    if random_shape and rng.random() < 0.02 and "system_requirement" not in head:
      pkg.separator = rng.choice(("--- ", "---# tail", "----"))
      self.features.add("odd-separator")

  def system_checks(self, pkg: Package) -> None:
    rng = self.rng
    head = pkg.header
    roll = rng.random()
    if roll < 0.10:
      self.features.add("prefer-system")
      rx = rng.choice(ARCH_REGEXES[:-1] + (".*",) * 4)
      head["prefer_system"] = rx
      check = rng.choice((
          "exit 0", "exit 1", "true", "false",
          'case "$REQUESTED_VERSION" in v*) exit 0 ;; *) exit 1 ;; esac',
          'test "$ARCHITECTURE" = "%s"' % self.arch,
          'echo "alibuild_system_replace: sys-$(echo a)"',
          "printf 'alibuild_system_replace: %s\\n' other-key",
          'echo "alibuild_system_replace: sys-b"\necho "alibuild_system_replace_requires: %s"'
          % (self.pkgs[-1].name if pkg.index < len(self.pkgs) - 1 else "defaults-release"),
      ))
      head["prefer_system_check"] = check
      if "alibuild_system_replace" in check:
        self.features.add("system-replacement")
        specs = OrderedDict()
        specs["sys-.*"] = OrderedDict([("version", rng.choice(("%(key)s", "sys-%(key)s"))),
                                       ("env", OrderedDict([("SYS", "from system é")]))])
        if rng.random() < 0.5:
          specs["sys-.*"]["recipe"] = "echo built-replacement"
        if rng.random() < 0.5:
          specs["(?!sys-)"] = OrderedDict([("prefer_system_check", "true")])
        if rng.random() < 0.8:
          head["prefer_system_replacement_specs"] = specs
        else:
          # No spec for the printed key: aliBuild warns and builds the package;
          # with no specs at all it raises (KeyError) -- keep the key present.
          head["prefer_system_replacement_specs"] = OrderedDict([("nothing-matches", OrderedDict())])
      if rng.random() < 0.15:
        head["allow_system_package_upload"] = True
        self.features.add("allow-system-package-upload")
    elif roll < 0.15:
      self.features.add("system-requirement")
      head["system_requirement"] = rng.choice(ARCH_REGEXES[:-1] + (".*",) * 3)
      head["system_requirement_check"] = rng.choice(
          ("exit 0", "true", 'test -n "$ARCHITECTURE"', "printf 'ok\\n'"))

  def body_text(self) -> str:
    rng = self.rng
    if rng.random() < 0.15:
      return rng.choice(("", "\n", "\n\n"))
    lines = rng.sample(BODY_LINES, rng.randint(1, 4))
    lead = rng.choice(("\n", "\n", "\n\n", "#!/bin/bash -e\n"))
    tail = rng.choice(("\n", "\n", "\n\n\n", ""))
    return lead + "\n".join(lines) + tail

  # ---- planted errors and cycles ------------------------------------------

  def injected_package(self, prefix: str) -> Package:
    pkg = Package(len(self.pkgs), self.fresh_name(prefix))
    pkg.header["package"] = pkg.name
    pkg.header["version"] = "v1"
    pkg.body = "\nmake\n"
    self.pkgs.append(pkg)
    return pkg

  def require_from_target(self, name: str) -> None:
    target = self.pkgs[0]
    target.header.setdefault("requires", target.requires)
    target.requires.append(name)

  def plant_error(self) -> None:
    kind = self.error
    if kind is None:
      return
    self.features.add("error:" + kind)
    rng = self.rng
    if kind == "missing-recipe":
      self.require_from_target(self.fresh_ghost())
      return
    if kind == "wrong-case":
      victim = self.injected_package("Case")
      self.require_from_target(victim.name.swapcase())
      return
    pkg = self.injected_package("trap")
    self.require_from_target(pkg.name)
    head = pkg.header
    if kind == "valid-defaults-violation":
      # Every other name, so the intersection over the closure stays
      # non-empty (an empty one makes aliBuild accept any defaults).
      head["valid_defaults"] = [d for d in ("release", self.other_defaults, "o2", "dev")
                                if d != self.defaults]
    elif kind == "failed-system-requirement":
      head["system_requirement"] = ".*"
      head["system_requirement_check"] = rng.choice(("exit 1", "false", "test -z \"$ARCHITECTURE\""))
      pkg.body = ""
    elif kind == "version-not-string":
      head["version"] = Lit(rng.choice(("1.5", "2", "true", "2024-01-01")))
    elif kind == "malformed-yaml":
      pkg.raw_header = rng.choice((
          "package: %s\nversion: v1\nrequires: [a, b\n" % pkg.name,
          "package: %s\nversion: v1\n\tenv: x\n" % pkg.name,
          "package: %s\nlicense: \"a---b\"\nversion: v1\n" % pkg.name,
          "- just\n- a list\n",
      ))
    elif kind == "sysreq-with-recipe":
      head["system_requirement"] = ".*"
      head["system_requirement_check"] = "exit 0"
      pkg.body = "\nmake install\n"
    elif kind == "tag-from-templated-version":
      head["version"] = rng.choice(("%(short_hash)s", "%(commit_hash)s", "x-%(tag)s"))
      head["source"] = "https://github.com/alisw/%s" % pkg.name
    elif kind == "missing-package-field":
      del head["package"]
      head["pkg"] = pkg.name
    elif kind == "bad-version-format":
      head["version"] = rng.choice(("%(nope)s", "50%", "%(year)d"))

  def plant_cycle(self) -> None:
    """target -> loopA [-> loopB] -> target."""
    self.features.add("cycle")
    first = self.injected_package("loop")
    self.require_from_target(first.name)
    last = first
    if self.rng.random() < 0.5:
      second = self.injected_package("loop")
      first.header["requires"] = [second.name]
      last = second
    last.header["build_requires" if self.rng.random() < 0.5 else "requires"] = [self.targets[0]]

  def choose_disables(self) -> None:
    rng = self.rng
    candidates = [p.name for p in self.pkgs[1:] if not p.name.lower().startswith(("trap", "loop", "case"))]
    if candidates and rng.random() < 0.25:
      self.disable_cli = rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 2))))
      self.features.add("cli-disable")
    if rng.random() < 0.1:
      self.disable_cli.append(self.fresh_ghost())

  def make_git_refs(self) -> None:
    """Make some (date-expanded) tags branches with a random tip commit."""
    rng = self.rng
    tags_by_url = {}
    for pkg in self.pkgs:
      head = pkg.header
      url = head.get("source")
      if not isinstance(url, str):
        continue
      candidates = [head.get("tag", head.get("version"))]
      for over in self.overrides.get(self.defaults, {}).values():
        if over and "tag" in over:
          candidates.append(over["tag"])
      for text in candidates:
        if isinstance(text, str):
          try:
            tags_by_url.setdefault(url, []).append(text % self.now)
          except (KeyError, ValueError, TypeError):
            pass
    for url in sorted(tags_by_url):
      branches = {}
      for tag in sorted(set(tags_by_url[url])):
        if rng.random() < 0.35:
          branches[tag] = "%040x" % rng.getrandbits(160)
      if rng.random() < 0.2:
        branches["master"] = "%040x" % rng.getrandbits(160)
      if branches:
        self.git_refs[url] = branches
        self.features.add("branch-commits")

  # ---- writing -----------------------------------------------------------

  def header_text(self, head) -> str:
    lines = [self.y.key_value(key, value) for key, value in head.items()]
    if self.rng.random() < 0.1:
      lines.insert(self.rng.randint(1, len(lines)), "# a comment, é")
    return "\n".join(lines) + "\n"

  def recipe_text(self, pkg: Package) -> str:
    header = pkg.raw_header if pkg.raw_header is not None else self.header_text(pkg.header)
    if pkg.raw_header is None and self.shape == "random" and self.rng.random() < 0.01 \
       and "system_requirement" not in pkg.header:
      # "# ---" inside the header: aliBuild splits the file right there.
      header = header + "# ----- end of header -----\nlicense: lost-in-the-body\n"
      self.features.add("dashes-in-header-comment")
    text = header + pkg.separator + pkg.body
    if not text.endswith("\n"):
      text += "\n"
    if pkg.crlf:
      text = text.replace("\n", "\r\n")
    return text

  def defaults_text(self, dname: str) -> str:
    body = ""
    if self.rng.random() < 0.3:
      body = "\n# defaults have no recipe\n"
    if self.rng.random() < 0.1:
      body = "\necho this is ignored with a warning\n"
    return self.header_text(self.defaults_files[dname]) + "---" + (body or "\n")

  def write(self, out: str) -> dict:
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
      if old.endswith(".sh") or old == "case.json":
        os.unlink(join(out, old))
    for pkg in self.pkgs:
      text = self.recipe_text(pkg)
      if pkg.raw_header is None and "package" in pkg.header:
        self.check_header(text, pkg.name)
      with open(join(out, pkg.name.lower() + ".sh"), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    for dname in ("release", self.other_defaults):
      text = self.defaults_text(dname)
      self.check_header(text, "defaults-" + dname)
      with open(join(out, "defaults-%s.sh" % dname), "w", encoding="utf-8") as f:
        f.write(text)
    if self.shape == "random" and self.rng.random() < 0.03 and not self.error and not self.cycle:
      # aliBuild merges defaults-<arch>.sh, but parses the main file a second
      # time instead (utilities.py:355) and does, for env, disable, overrides:
      #   meta.setdefault(x, {}).update(meta_again.get(x, {}))
      # That fails with a `disable:` list (list.update), yields a plain {} for
      # a missing `overrides:` ("overrides should be a dictionary") and for a
      # missing `env:` (storeHashes then asserts an OrderedDict).
      with open(join(out, "defaults-%s.sh" % self.arch), "w", encoding="utf-8") as f:
        f.write("package: defaults-%s\nversion: v1\n---\n" % self.arch)
      self.features.add("arch-defaults-file")
      head = self.defaults_files[self.defaults]
      if "disable" in head or "overrides" not in head or "env" not in head:
        self.error = "arch-defaults-file"
    case = OrderedDict([
        ("targets", self.targets),
        ("defaults", self.defaults),
        ("arch", self.arch),
        ("disable", self.disable_cli),
        ("date", self.date),
        ("git_refs", self.git_refs),
        ("no_system", self.no_system),
        ("alidist_branch", self.alidist_branch),
        ("expect_error", self.error or ("cycle" if self.cycle else None)),
        ("features", sorted(self.features)),
        ("seed", self.seed),
        ("shape", self.shape),
        ("packages", len(self.pkgs)),
    ])
    with open(join(out, "case.json"), "w", encoding="utf-8") as f:
      json.dump(case, f, indent=2, ensure_ascii=False)
      f.write("\n")
    return case

  @staticmethod
  def check_header(text: str, name: str) -> None:
    """A header not broken on purpose must load and name its package."""
    loaded = yaml.safe_load(text.split("---", 1)[0])
    assert isinstance(loaded, dict) and loaded.get("package") == name, (name, text)


def stack_stats(out: str, case: dict) -> None:
  """Print closure size and edge count (for checking the stack shape)."""
  deps, seen, edges = {}, set(), 0
  for fn in os.listdir(out):
    if fn.endswith(".sh") and not fn.startswith("defaults-"):
      with open(join(out, fn), encoding="utf-8") as f:
        head = yaml.safe_load(f.read().split("---", 1)[0])
      deps[head["package"]] = [d.split(":")[0] for d in
                               (head.get("requires") or []) + (head.get("build_requires") or [])]
  todo = list(case["targets"])
  while todo:
    p = todo.pop()
    if p in seen or p not in deps:
      continue
    seen.add(p)
    edges += len(deps[p])
    todo.extend(deps[p])
  print("recipes=%d closure<=%d edges<=%d (before filters/overrides)" % (len(deps), len(seen), edges),
        file=sys.stderr)


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
  parser.add_argument("--seed", type=int, required=True)
  parser.add_argument("--out", required=True)
  parser.add_argument("--packages", type=int, default=None, help="number of recipes")
  parser.add_argument("--shape", choices=("random", "stack"), default="random")
  parser.add_argument("--cycle", action="store_true", help="plant a dependency cycle")
  parser.add_argument("--error-rate", type=float, default=0.15,
                      help="probability of planting one error (random shape)")
  parser.add_argument("--stats", action="store_true", help="print closure statistics")
  args = parser.parse_args(argv)
  gen = Generator(args.seed, args.packages, args.shape, args.cycle, args.error_rate)
  gen.build()
  case = gen.write(args.out)
  if args.stats:
    stack_stats(args.out, case)
  return 0


if __name__ == "__main__":
  sys.exit(main())
