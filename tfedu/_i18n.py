"""The language of the words students read in tfedu's outputs: English (the default) or Simplified Chinese.

``tfedu.setup(language="zh")`` chooses it (the Chinese lessons call it so); it is the one
setting, kept here, that every student-facing text reads: exercise verdicts, hints and
solutions, the progress table, and the words in ``LivePlot`` and Playground pictures. Messages
for developers (errors about bad arguments) stay English, as TensorFlow's own do.

A text is written in English where it is used and looked up here by that English template:

>>> text("{title}: correct!", title="Exercise 1")
'Exercise 1: correct!'
>>> with language_set("zh"):
...     text("{title}: correct!", title="练习 1")
'练习 1：正确！'

Chinese pictures need a font with Chinese characters: :func:`cjk_font` finds one (the Noto
Sans CJK SC font that the course environment installs with the ``mplfonts`` package, or a
system Noto / Source Han / WenQuanYi font) and ``setup(language="zh")`` puts it first in
matplotlib's sans-serif list.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

__all__ = ["LANGUAGES", "language", "set_language", "language_set", "text", "translated", "cjk_font", "use_cjk_font"]

#: The languages tfedu speaks, by the code ``setup(language=...)`` takes.
LANGUAGES = {"en": "English", "zh": "简体中文 (Simplified Chinese)"}
_ALIASES = {"zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "cn": "zh", "chinese": "zh", "english": "en", "en-us": "en"}

_current = "en"

# English template -> Chinese template. The placeholders ({title}, {level}, ...) are the same.
ZH = {
    # exercise verdicts
    "{title}: correct!": "{title}：正确！",
    "{title}: not yet.": "{title}：还不对。",
    "{title}: not answered yet. Replace the ... with your answer and run the cell again.":
        "{title}：尚未作答。把 ... 换成你的答案，再运行这个单元格。",
    " Stuck? {call} gives a nudge.": " 卡住了？{call} 会给你一点提示。",
    "skipped until the checks above pass": "等上面的检查通过后再检查这一项",
    "stopped after {seconds} s: the code was still running. Look for a loop that never ends (a `while` whose "
    "condition never turns false) or far too much work, then run the cell again":
        "运行 {seconds} 秒后被停止：代码仍在运行。检查是否有永不结束的循环（条件永远不变为假的 `while`）"
        "或计算量过大，然后再运行这个单元格",
    "your code called sys.exit() or exit() ({code}), which would stop the kernel; return a value (or raise an "
    "error) instead": "你的代码调用了 sys.exit() 或 exit()（{code}），这会停止内核；请改为返回一个值（或抛出错误）",
    "raised {error}: {message}": "抛出了 {error}：{message}",
    "not as expected": "与预期不符",
    # hints and solutions
    "Hint": "提示",
    "Solution": "参考答案",
    "hint {level} of {count}": "提示 {level}/{count}",
    "(More specific: .hint({level}).)": "（更具体的提示：.hint({level})。）",
    "(That is the last hint; the solution is one call away: .solution().)":
        "（这是最后一条提示；参考答案只差一步：.solution()。）",
    # levels
    "{title} ({level})": "{title}（{level}）",
    "warm-up": "热身",
    "core": "核心",
    "challenge": "挑战",
    # predict, then run
    "the prediction is one of {letters}": "预测是 {letters} 之一",
    "the prediction matches what happens": "预测与实际发生的一致",
    "run the next cell to see it happen": "运行下一个单元格，看看实际会发生什么",
    "got {choice}; answer with one letter in quotes: {letters}": "得到的是 {choice}；请用引号括起一个字母作答：{letters}",
    "not {letter}: {why}": "不是 {letter}：{why}",
    # progress
    "{correct} of {total} exercises correct ({attempted} attempted)": "{total} 道练习中答对 {correct} 道（尝试过 {attempted} 道）",
    "lesson": "课程",
    "exercise": "练习",
    "attempts": "尝试次数",
    "correct": "答对",
    "hints": "提示",
    "solution": "参考答案",
    "yes": "是",
    "no": "否",
    "viewed": "看过",
    "No exercises tried yet (progress is kept in {path}).": "还没有做过练习（进度记录在 {path}）。",
    # LivePlot
    "epoch": "轮 (epoch)",
    "train": "训练",
    "validation": "验证",
    "per batch": "每个批次",
    "learning rate": "学习率",
    " (log scale)": "（对数刻度）",
    "best: epoch {epoch}": "最佳：第 {epoch} 轮",
    " NaN from epoch {epoch}": " 从第 {epoch} 轮起为 NaN",
    "stopped ": "已停止 ",
    # explorer and Playground controls (API names such as keepdims or from_logits stay as they are)
    "epochs": "轮数",
    "threshold": "阈值",
    "focal α": "焦点 α",
    "focal γ": "焦点 γ",
    "show": "显示",
    "activations": "激活函数",
    "leaky_relu slope": "leaky_relu 斜率",
    "gelu tanh approximation": "gelu 的 tanh 近似",
    "x range": "x 范围",
    "surface": "曲面",
    "steps": "步数",
    "replay step": "回放到第几步",
    "play": "播放",
    "data": "数据",
    "noise": "噪声",
    "classes": "类别数",
    "test share": "测试占比",
    "features": "特征",
    "hidden layers": "隐藏层",
    "activation": "激活函数",
    "initializer": "初始化器",
    "regularization": "正则化",
    "rate": "系数",
    "optimizer": "优化器",
    "batch size": "批次大小",
    "seed": "随机种子",
    "show test data": "显示测试数据",
    "discretize output": "离散化输出",
    "step": "单步",
    "reset": "重置",
    # Playground
    "decision surface": "决策面",
    "prediction": "预测",
    "training loss": "训练损失",
    "test loss": "测试损失",
    "loss": "损失",
    "layer {number}": "第 {number} 层",
    "loss over time: ": "损失随时间变化：",
    "epoch {epoch}: test loss {loss}": "第 {epoch} 轮：测试损失 {loss}",
    ", test accuracy {accuracy}": "，测试准确率 {accuracy}",
    "epoch {epoch}": "第 {epoch} 轮",
    "epoch {epoch} · test loss {loss}": "第 {epoch} 轮 · 测试损失 {loss}",
    " · test accuracy {accuracy}": " · 测试准确率 {accuracy}",
}

_CATALOGS = {"zh": ZH}


def language() -> str:
    """The language of student-facing text now: ``"en"`` or ``"zh"``."""
    return _current


def _code(value) -> str:
    from ._validate import choice

    if isinstance(value, str) and value.strip().lower() in _ALIASES:
        return _ALIASES[value.strip().lower()]
    if isinstance(value, str):
        value = value.strip().lower()
    return choice(value, "language", tuple(LANGUAGES))


def set_language(value) -> str:
    """Choose the language of student-facing text (``tfedu.setup(language=...)`` calls this); returns the code."""
    global _current
    _current = _code(value)
    return _current


@contextlib.contextmanager
def language_set(value):
    """Use ``value`` inside the ``with`` block only (tests and the drift check use it)."""
    saved = _current
    set_language(value)
    try:
        yield
    finally:
        set_language(saved)


def text(english: str, **values) -> str:
    """``english`` in the current language, with ``values`` filled in (English when no translation is kept)."""
    template = _CATALOGS.get(_current, {}).get(english, english)
    return template.format(**values) if values else template


def translated(english: str, chinese: str | None) -> str:
    """``chinese`` when the language is Chinese and it is given, else ``english`` (a bank's own texts)."""
    return chinese if _current == "zh" and chinese else english


_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "NotoSansCJK-Regular.ttc", "SourceHanSansSC-Regular.otf",
               "wqy-microhei.ttc", "wqy-zenhei.ttc")


def cjk_font() -> Path | None:
    """A font file with Chinese characters: the ``mplfonts`` package's Noto Sans CJK SC, else a system font."""
    try:
        import mplfonts

        bundled = Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"):
        if folder.is_dir():
            for name in _FONT_FILES:
                found = next(folder.rglob(name), None)
                if found is not None:
                    return found
    return None


def use_cjk_font() -> str | None:
    """Register :func:`cjk_font` with matplotlib as the fallback after DejaVu Sans; its family name, or None.

    Latin letters, digits and symbols keep DejaVu Sans (the English pictures' font); a character
    DejaVu Sans lacks, every Chinese one, is drawn from the CJK font (matplotlib's font fallback).
    """
    path = cjk_font()
    if path is None:
        return None
    import matplotlib
    from matplotlib import font_manager

    import logging

    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    # The font has one weight: bold Chinese titles are drawn regular, without a "findfont" notice each time.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return family
