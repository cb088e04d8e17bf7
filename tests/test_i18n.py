"""tfedu._i18n: the words students read in outputs, in English or Chinese, chosen by tfedu.setup(language=...)."""
import importlib
import re
import string
import warnings

import numpy as np
import pytest

from tfedu import _i18n
from tfedu._i18n import ZH, language, language_set, set_language, text

LESSONS = [f"lesson_{n:02d}" for n in range(16)]


def placeholders(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_english_is_the_default_and_chinese_is_looked_up_by_the_english_template():
    assert language() == "en"
    assert text("{title}: not yet.", title="T") == "T: not yet."
    with language_set("zh"):
        assert language() == "zh"
        assert text("{title}: not yet.", title="练习 1") == "练习 1：还不对。"
        assert text("a sentence nobody translated") == "a sentence nobody translated"
    assert language() == "en"


def test_every_chinese_template_keeps_the_english_placeholders():
    for english, chinese in ZH.items():
        assert placeholders(chinese) == placeholders(english), f"{english!r} -> {chinese!r}"
        assert re.search(r"[\u4e00-\u9fff\uff08\uff1a]", chinese), f"{english!r} is not translated: {chinese!r}"


def test_a_language_is_chosen_by_code_or_common_alias_and_a_wrong_one_says_which_exist():
    try:
        assert set_language("zh-CN") == "zh" and set_language("Chinese") == "zh" and set_language("en") == "en"
        with pytest.raises(ValueError, match=r"language.*'fr'.*(en|zh)"):
            set_language("fr")
        assert language() == "en"
    finally:
        set_language("en")


def test_setup_chooses_the_language_and_later_calls_keep_it():
    import tfedu

    try:
        info = tfedu.setup(language="zh")
        assert info.language == "zh" and str(info).endswith("| language zh")
        assert tfedu.setup().language == "zh"          # a later setup() in a Chinese lesson stays Chinese
        english = tfedu.setup(language="en")
        assert "language" not in str(english)          # the English lessons' printout is unchanged
    finally:
        set_language("en")
        tfedu.setup()


def test_a_verdict_hint_and_solution_in_chinese_then_in_english_again():
    import tensorflow as tf

    from tfedu.exercises import lesson_02 as ex

    with language_set("zh"):
        wrong = str(ex.q1.check(tf.reduce_mean(ex.SCORES, axis=1)))
        assert wrong.startswith("练习 1 · 每次测验的平均分（热身）：还不对。"), wrong
        assert "它为每次测验（每一列）给出一个平均值" in wrong          # the check's description, from zh/lesson_02.json
        assert str(ex.q1.check(...)).endswith("卡住了？ex.q1.hint() 会给你一点提示。")
        hint = str(ex.q1.hint(1))
        assert hint.startswith("提示 1/2 (练习 1") and "（更具体的提示：.hint(2)。）" in hint
        assert str(ex.q1.solution()).startswith("参考答案 (练习 1")
        predicted = str(ex.q3.check("a"))
        assert "预测是 a, b, c 之一" in predicted and "不是 a：广播从右边对齐形状" in predicted
        assert "运行下一个单元格" in str(ex.q3.check("c"))
    assert str(ex.q1.check(...)).startswith("Exercise 1 · The average of each test (warm-up): not answered yet.")


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_banks_chinese_texts_match_its_exercises(lesson):
    """A title, the same number of hints, every check's description and every wrong option's why."""
    from tfedu.exercises import Exercise, Predict, _bank_text, _describe

    bank = importlib.import_module(f"tfedu.exercises.{lesson}")
    texts = _bank_text(lesson)
    exercises = {name: value for name, value in vars(bank).items() if isinstance(value, Exercise)}
    assert set(texts) == set(exercises), f"{lesson}: zh/{lesson}.json has {sorted(texts)}, the bank {sorted(exercises)}"
    for name, exercise in exercises.items():
        entry = texts[name]
        assert re.search(r"[\u4e00-\u9fff]", entry["title"]), f"{lesson} {name}: no Chinese title"
        assert len(entry["hint"]) == len(exercise._hints), f"{lesson} {name}: {len(entry['hint'])} hints in Chinese"
        if isinstance(exercise, Predict):
            wrong = set(exercise.options) - {exercise.answer}
            assert set(entry["why"]) == wrong, f"{lesson} {name}: why is given for {sorted(entry['why'])}"
        else:
            described = {_describe(check) for check in exercise.checks}
            assert set(entry.get("checks", {})) == described, (
                f"{lesson} {name}: translated checks {sorted(set(entry.get('checks', {})) ^ described)} do not "
                "match the bank's check descriptions")


def test_progress_table_in_chinese_lines_up(tmp_path, monkeypatch):
    from tfedu.exercises.record import ProgressStore, progress

    path = tmp_path / "progress.jsonl"
    ProgressStore(path).record("lesson_02", "q1", "check", verdict="correct")
    with language_set("zh"):
        shown = str(progress(path))
    header, row, summary = shown.splitlines()
    assert header.split() == ["课程", "练习", "尝试次数", "答对", "提示", "参考答案"]
    assert row.split() == ["lesson_02", "q1", "1", "是", "0", "否"]
    assert summary == "1 道练习中答对 1 道（尝试过 1 道）"
    from tfedu._text import display_width

    assert display_width(header.rstrip()) >= display_width(row.rstrip())


def _render(title: str) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2.4, 0.6), dpi=100)
    canvas = FigureCanvasAgg(figure)
    figure.text(0.02, 0.3, title, fontsize=14)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def test_chinese_characters_render_as_glyphs_not_boxes():
    import matplotlib

    saved = matplotlib.rcParams["font.family"]
    try:
        assert _i18n.cjk_font() is not None, "no CJK font: the course environment installs mplfonts"
        assert _i18n.use_cjk_font() == "Noto Sans CJK SC"
        with warnings.catch_warnings():
            warnings.simplefilter("error")              # "Glyph ... missing from font(s)" would raise
            loss, gradient = _render("损失"), _render("梯度")
        assert (loss < 128).sum() > 50                   # ink on the canvas
        assert (loss != gradient).any()                  # two different words: not the same empty box twice
    finally:
        matplotlib.rcParams["font.family"] = saved


def test_liveplot_and_playground_words_follow_the_language():
    from tfedu.callbacks import TrainingHistory
    from tfedu.playground import Trainer, draw_playground

    history = TrainingHistory.from_logs({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    with language_set("zh"):
        figure = history.plot()
        drawing = draw_playground(Trainer({"dataset": "xor", "hidden": [2]}))
    labels = [ax.get_xlabel() for ax in figure.axes]
    assert "轮 (epoch)" in labels
    assert drawing.surface_ax.get_title() == "决策面" and drawing.title.get_text().startswith("第 0 轮：测试损失")


def test_explorer_controls_are_labelled_in_the_students_language():
    from tfedu.losses import loss_explorer
    from tfedu.playground import playground_explorer

    with language_set("zh"):
        playground = playground_explorer({"dataset": "xor", "hidden": [2]})
        losses = loss_explorer()
    assert playground.inputs["learning_rate"].description == "学习率"
    assert playground.play_button.description == "播放" and playground.inputs["seed"].description == "随机种子"
    assert losses.gamma.description == "焦点 γ" and losses.from_logits.description == "from_logits"  # API names stay
    assert playground_explorer({"dataset": "xor", "hidden": [2]}).inputs["learning_rate"].description == "learning rate"
    playground.close()
