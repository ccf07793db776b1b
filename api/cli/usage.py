"""Click's usage errors in the run's language: ``Missing argument 'target'`` reads 缺少参数 'target' in Chinese.

Click writes its messages in English (through :mod:`gettext`, with no
Chinese catalogue); :func:`show_usage_error` prints the usage line, the hint
and the message in the run's language instead, for the errors a user makes
on the command line: a missing argument or option, an unknown option or
command, a bad value.

Examples
--------
>>> import typer
>>> cmd = typer.Typer()
>>> @cmd.command()
... def introducers(target: str): ...
>>> try:
...     typer.main.get_command(cmd).main([], prog_name="chainmatch introducers", standalone_mode=False)
... except typer.TyperException as e:
...     print(message(e, "zh")); print(message(e, "en"))
缺少参数 'target'。
Missing argument 'target'.
"""

from __future__ import annotations

import importlib
import re

import typer

__all__ = ["message", "show_usage_error"]


def _exceptions():
    """Click's exception classes as Typer ships them (Typer vendors Click; ``typer.BadParameter`` is one)."""
    return importlib.import_module(typer.BadParameter.__module__)


def message(e, lang: str) -> str:
    """The error's message in ``lang`` (Click's own English text for ``en``)."""
    if lang == "en":
        return e.format_message()
    english = e.format_message()
    for pattern, zh in _ZH:
        found = pattern.match(english)
        if found:
            return zh.format(*found.groups())
    return english


#: Click's English messages (click/exceptions.py, click/core.py) and their Chinese
_ZH = [(re.compile(p, re.S), zh) for p, zh in (
    (r"Missing argument (.+)\.$", "缺少参数 {0}。"),
    (r"Missing option (.+)\.$", "缺少选项 {0}。"),
    (r"Missing parameter:? (.+?)\.?$", "缺少参数 {0}。"),
    (r"No such option:? (\S+?)\.? \(Possible options: (.+)\)$", "没有这个选项：{0}（可能是：{1}）"),
    (r"No such option:? (\S+?)\.? Did you mean (.+)\?$", "没有这个选项：{0}（可能是：{1}）"),
    (r"No such option:? '?([^'.]+)'?\.?$", "没有这个选项：{0}"),
    (r"No such command '(.+)'\.$", "没有这个命令：{0}"),
    (r"Option (.+) requires an argument\.$", "选项 {0} 需要一个值。"),
    (r"Option (.+) requires (\d+) arguments\.$", "选项 {0} 需要 {1} 个值。"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)$", "多余的参数：{0}"),
    (r"Invalid value for (.+?): (.+)$", "{0} 的值无效：{1}"),
)]


def show_usage_error(e, lang: str) -> None:
    """Print ``e`` (a Click exception) to stderr as Click would, in ``lang``: usage line, where to find help,
    the message."""
    if lang == "en" or not isinstance(e, _exceptions().UsageError):
        e.show()
        return
    try:
        text = message(e, lang)
    except Exception:  # noqa: BLE001 - never lose the error for want of a translation
        text = e.format_message()
    lines = []
    if e.ctx is not None:
        usage = e.ctx.get_usage().replace("Usage: ", "用法：", 1)
        lines.append(usage)
        if e.ctx.command.get_help_option(e.ctx) is not None:
            lines.append(f"帮助：{e.ctx.command_path} --help")
        lines.append("")
    lines.append(f"错误：{text}")
    typer.echo("\n".join(lines), err=True)
