#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb, offline (nbdev_readme needs Quarto, which these machines lack).

    python .ci/readme.py            # (re)write README.md
    python .ci/readme.py --check    # exit 1 with a unified diff when README.md is not what it would write

Standard library only, so any python3 runs it. What goes into the README:
- the title: the notebook's first markdown cell `# Title` / `> description` (or a raw `---` YAML
  front-matter cell with title/description) becomes the H1 and a blockquote; `- key: value` front
  matter lines in that cell are dropped, as nbdev does, and any other text in it is kept;
- markdown cells verbatim, with relative link and image targets rewritten from the notebook's folder
  to the repository root (`images/x.png` -> `nbs/images/x.png`);
- code cells as ```python blocks with their leading `#|` directive lines stripped; cells with
  `#| hide`, an export directive (`export`, `exporti`, `exports`, `default_exp`) or `#| include: false`
  are left out; `#| echo: false` keeps only the outputs, `#| output: false` only the code;
- stored text outputs (stdout streams, `text/plain` results) as ``` blocks, long ones cut;
  `text/markdown` results (and stdout of `#| output: asis` cells) verbatim; images, HTML-only and
  widget/JS outputs, stderr and errors are left out: a figure the README should show is committed
  as a file and referenced from a markdown cell;
- raw cells other than the front matter are left out.
"""
import argparse, difflib, json, os, posixpath, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- generated from nbs/index.ipynb by python .ci/readme.py; do not edit -->'
MAX_LINES = 40   # longer text outputs keep their first KEEP_LINES lines
KEEP_LINES = 30

_dir_re = re.compile(r'^\s*#\s*\|')                     # a `#|` directive line
_magic_re = re.compile(r'^\s*%%\w+')                    # cell magic: nbdev counts it with the directives
_fm_line_re = re.compile(r'^-\s+(\S.*:.*\S)\s*$')       # `- key: value` front matter in the title cell
_ansi_re = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')
_scheme_re = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')
_link_re = re.compile(r'(!?\[[^\]\n]*\]\()(<[^>\n]*>|[^)\s]+)((?:\s+"[^"\n]*")?\))')
_ref_re = re.compile(r'^(\s{0,3}\[[^\]\n]+\]:\s*)(\S+)', re.MULTILINE)
_src_re = re.compile(r'''(<img\b[^>]*?\bsrc\s*=\s*)(["'])([^"']+)\2''', re.IGNORECASE)
_OMIT = {'hide', 'export', 'exporti', 'exports', 'default_exp'}


def _text(s):
    "Notebook JSON text: a string or a list of lines."
    return ''.join(s) if isinstance(s, list) else s


def directives(source):
    "Split a code cell into ({directive: [args]}, code) the way nbdev reads leading `#|` lines."
    lines = source.splitlines()
    i = 0
    while i < len(lines) and (not lines[i].strip() or _dir_re.match(lines[i]) or _magic_re.match(lines[i])): i += 1
    dirs = {}
    for l in lines[:i]:
        if not _dir_re.match(l): continue
        words = _dir_re.sub('', l).replace(':', ' ').split()
        if words: dirs[words[0].lower()] = [w.lower() for w in words[1:]]
    code = [l for l in lines[:i] if _magic_re.match(l)] + lines[i:]
    return dirs, '\n'.join(code).strip('\n')


def _fence(text, lang=''):
    "Fence `text` with more backticks than any run inside it."
    n = max([3] + [len(m) + 1 for m in re.findall(r'`{3,}', text)])
    return f"{'`' * n}{lang}\n{text}\n{'`' * n}"


def _clean(text):
    "Outputs as a terminal would leave them: no ANSI colours, progress bars at their last state."
    text = _ansi_re.sub('', text)
    return '\n'.join(l.rsplit('\r', 1)[-1] for l in text.split('\n')).strip('\n')


def _cut(text):
    lines = text.split('\n')
    if len(lines) <= MAX_LINES: return text
    return '\n'.join(lines[:KEEP_LINES] + [f'... ({len(lines) - KEEP_LINES} more lines)'])


def _outputs(cell, asis=False):
    "Markdown blocks for a code cell's stored outputs."
    blocks, stream = [], []
    def flush():
        if stream:
            text = _clean(''.join(stream))
            if text.strip(): blocks.append(text if asis else _fence(_cut(text)))
            stream.clear()
    for o in cell.get('outputs', []):
        kind = o.get('output_type')
        if kind == 'stream':
            if o.get('name') == 'stdout': stream.append(_text(o.get('text', '')))
            continue
        flush()
        if kind not in ('execute_result', 'display_data'): continue   # errors are left out
        data = o.get('data', {})
        if any(k.startswith(('image/', 'application/')) for k in data): continue
        if 'text/markdown' in data: blocks.append(_text(data['text/markdown']).strip('\n'))
        elif 'text/plain' in data:
            text = _clean(_text(data['text/plain']))
            if text.strip(): blocks.append(_fence(_cut(text)))
    flush()
    return blocks


def _rebase(target, base):
    "A link target relative to the notebook's folder, made relative to the repository root."
    if not base or target.startswith(('#', '/', '<')) or _scheme_re.match(target): return target
    path, sep, frag = target.partition('#')
    if not path: return target
    return posixpath.normpath(posixpath.join(base, path)) + sep + frag


def rewrite_links(md, base):
    "Rewrite relative link and image targets of markdown `md` (outside fenced code) by `base`."
    out, fence = [], None
    for part in re.split(r'(?m)^(\s*(?:`{3,}|~{3,}).*\n?)', md):
        m = re.match(r'\s*(`{3,}|~{3,})', part)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence = m.group(1) if fence is None else None
            out.append(part); continue
        if fence is None:
            part = _link_re.sub(lambda m: m.group(1) + _rebase(m.group(2), base) + m.group(3), part)
            part = _ref_re.sub(lambda m: m.group(1) + _rebase(m.group(2), base), part)
            part = _src_re.sub(lambda m: m.group(1) + m.group(2) + _rebase(m.group(3), base) + m.group(2), part)
        out.append(part)
    return ''.join(out)


def _yaml_fm(text):
    "title/description of a raw `---` YAML front matter cell (flat `key: value` lines), or None."
    m = re.match(r'^---\s*\n(.*?)\n---\s*$', text.strip(), flags=re.DOTALL)
    if not m: return None
    fm = {}
    for l in m.group(1).splitlines():
        k, sep, v = l.partition(':')
        if sep and not l.startswith((' ', '-')): fm[k.strip()] = v.strip().strip('"\'')
    return fm


def _title_cell(text):
    "(title, description, rest) of a markdown cell holding a `# Title` line (nbdev's title cell), or None."
    m = re.search(r'^#\s+(\S.*?)\s*$', text, flags=re.MULTILINE)
    if not m: return None
    d = re.search(r'^>\s+(\S.*?)\s*$', text, flags=re.MULTILINE)
    drop = {m.start(), d.start() if d else -1}
    rest, pos = [], 0
    for l in text.splitlines(True):
        if pos not in drop and not _fm_line_re.match(l): rest.append(l)
        pos += len(l)
    return m.group(1), d.group(1) if d else None, ''.join(rest).strip('\n')


def render(nb_path, root=ROOT):
    "The README text for notebook `nb_path`, with links rebased from its folder to `root`."
    nb_path, root = Path(nb_path).resolve(), Path(root).resolve()
    base = Path(os.path.relpath(nb_path.parent, root)).as_posix()
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    title = desc = None
    body = []
    for cell in nb.get('cells', []):
        kind, text = cell.get('cell_type'), _text(cell.get('source', ''))
        if kind == 'raw':
            fm = _yaml_fm(text)
            if fm is None: continue
            if title is None and 'title' in fm: title, desc = fm['title'], fm.get('description')
        elif kind == 'markdown':
            if title is None and (tc := _title_cell(text)): title, desc, text = tc
            text = rewrite_links(text.strip('\n'), '' if base == '.' else base)
            if text.strip(): body.append(text)
        elif kind == 'code':
            dirs, code = directives(text)
            if _OMIT & dirs.keys() or dirs.get('include') == ['false']: continue
            if code.strip() and dirs.get('echo') != ['false']: body.append(_fence(code, 'python'))
            if dirs.get('output') != ['false']: body += _outputs(cell, asis=dirs.get('output') == ['asis'])
    head = [HEADER.replace('nbs/index.ipynb', Path(os.path.relpath(nb_path, root)).as_posix())]
    if title: head.append(f'# {title}' + (f'\n\n> {desc}' if desc else ''))
    return '\n\n'.join(head + body) + '\n'


def write_atomic(path, text):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='\n') as f: f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp): os.unlink(tmp)
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--check', action='store_true', help='exit 1 with a diff when README.md is out of date')
    ap.add_argument('--nb', default=ROOT/'nbs'/'index.ipynb', type=Path, help='source notebook (nbs/index.ipynb)')
    ap.add_argument('--out', default=ROOT/'README.md', type=Path, help='README to write or check (README.md)')
    ap.add_argument('--root', default=ROOT, type=Path, help='folder the README sits in, for links (repo root)')
    a = ap.parse_args(argv)
    new = render(a.nb, a.root)
    if a.check:
        old = a.out.read_text(encoding='utf-8') if a.out.exists() else ''
        if old == new: return 0
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                   f'{a.out.name} (committed)', f'{a.out.name} (from {a.nb.name})'))
        print(f'\n{a.out} is out of date: run `python .ci/readme.py` and commit it.', file=sys.stderr)
        return 1
    write_atomic(a.out, new)
    print(f'wrote {a.out} from {a.nb}')
    return 0


if __name__ == '__main__': sys.exit(main())
