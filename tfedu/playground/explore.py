"""The interact layer of ``tfedu.playground``: Playground's controls over a real Keras model.

:class:`Playground` is a :class:`tfedu._widgets.Explorer`: every control (dataset, features,
layers, activation, learning rate, regularization, ...) rebuilds the set-up and redraws the one
figure; **step** trains a few epochs, **play** keeps training in a background thread of the
kernel (other cells and widgets stay usable) until **pause**, **reset** starts again from the
same seed. ``playground.model`` is the live Keras model, ``playground.config`` the set-up as a
plain dict, ``Playground.from_config(config, hide=[...])`` restores one with chosen controls
hidden, and ``playground.to_code()`` prints the Keras script of the model.
"""
from __future__ import annotations

import threading

import ipywidgets as widgets

from tfedu._i18n import text as words
from tfedu._figures import Blitter
from tfedu._text import significant
from tfedu._validate import choices, count
from tfedu._widgets import Explorer
from tfedu.playground.compute import (ACTIVATIONS, CLASSIFICATION, FEATURES, INITIALIZERS, LOSSES, OPTIMIZERS,
                                      REGRESSION, Trainer, check_config)
from tfedu.playground.draw import PlaygroundDrawing

__all__ = ["Playground", "playground_explorer", "LEARNING_RATES", "CONTROLS"]

#: Playground's learning-rate menu.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: The set-up keys that have a control (``hide=`` takes these names).
CONTROLS = ("dataset", "noise", "n_classes", "test_fraction", "features", "hidden", "activation", "initializer",
            "dropout", "regularization", "regularization_rate", "loss", "optimizer", "learning_rate", "batch_size",
            "seed", "show_test", "discretize")


#: While playing, the loss axes get new limits at most this often (each change redraws the whole figure).
RELIMIT_SECONDS = 3.0
#: While playing, seconds of training per second of drawing the last frame took: drawing stays under a
#: quarter of the time (3 would be exactly a quarter, before the odd full redraw and the status line).
TRAIN_PER_DRAW = 3.3


def _menu(options, value):
    return sorted(set(options) | {value})


class Playground(Explorer):
    """TensorFlow Playground on a real ``keras.Sequential`` (see :func:`playground_explorer`)."""

    def __init__(self, config=None, *, x=None, y=None, hide=(), epochs_per_step: int = 10, show_test=False,
                 discretize=False):
        super().__init__()
        self.config = check_config(config)   # every value checked before a widget is built
        hide = choices(list(hide), "hide", CONTROLS) if hide else []
        self.epochs_per_step = count(epochs_per_step, "epochs_per_step", high=10_000, example=10)
        self._own_data = (x, y)
        self._lock = threading.RLock()
        self._thread = None
        self._playing = threading.Event()
        self.trainer = Trainer(self.config, x=x, y=y)
        self.drawing = PlaygroundDrawing(self.trainer, show_test=show_test, discretize=discretize, title=False)
        self.figure = self.drawing.figure
        c, wide = self.config, {"description_width": "initial"}
        datasets = (CLASSIFICATION + REGRESSION) if x is None else ("your data",)
        self.inputs = {
            "dataset": widgets.Dropdown(options=datasets, value=c["dataset"] if x is None else "your data",
                                        description=words("data"), style=wide),
            "noise": widgets.FloatSlider(value=c["noise"], min=0.0, max=max(0.5, c["noise"]), step=0.05,
                                         description=words("noise"), style=wide),
            "n_classes": widgets.IntSlider(value=c["n_classes"], min=2, max=5, description=words("classes"), style=wide),
            "test_fraction": widgets.FloatSlider(value=c["test_fraction"], min=0.1, max=0.9, step=0.1,
                                                 description=words("test share"), style=wide),
            "features": widgets.SelectMultiple(options=list(FEATURES), value=tuple(c["features"]),
                                               description=words("features"), rows=7, style=wide),
            "hidden": widgets.Dropdown(options=self._shapes(c["hidden"]), value=tuple(c["hidden"]),
                                       description=words("hidden layers"), style=wide),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=c["activation"], description=words("activation"),
                                           style=wide),
            "initializer": widgets.Dropdown(options=INITIALIZERS, value=c["initializer"], description=words("initializer"),
                                            style=wide),
            "dropout": widgets.FloatSlider(value=c["dropout"], min=0.0, max=max(0.5, c["dropout"]), step=0.1,
                                           description="dropout", style=wide),
            "regularization": widgets.Dropdown(options=[("none", "none"), ("L1", "l1"), ("L2", "l2")],
                                               value=c["regularization"] or "none", description=words("regularization"),
                                               style=wide),
            "regularization_rate": widgets.Dropdown(options=_menu(REGULARIZATION_RATES, c["regularization_rate"]),
                                                    value=c["regularization_rate"], description=words("rate"), style=wide),
            "loss": widgets.Dropdown(options=LOSSES, value=c["loss"], description=words("loss"), style=wide),
            "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=c["optimizer"], description=words("optimizer"),
                                          style=wide),
            "learning_rate": widgets.Dropdown(options=_menu(LEARNING_RATES, c["learning_rate"]),
                                              value=c["learning_rate"], description=words("learning rate"), style=wide),
            "batch_size": widgets.IntSlider(value=c["batch_size"], min=1, max=max(100, c["batch_size"]),
                                            description=words("batch size"), style=wide),
            "seed": widgets.IntSlider(value=c["seed"], min=0, max=max(20, c["seed"]), description=words("seed"),
                                      style=wide),
            "show_test": widgets.Checkbox(value=bool(show_test), description=words("show test data"), indent=False),
            "discretize": widgets.Checkbox(value=bool(discretize), description=words("discretize output"), indent=False),
        }
        for name in hide:
            self.inputs[name].layout.display = "none"
        shown = [control for name, control in self.inputs.items() if name not in hide]
        self.step_button = widgets.Button(description=words("step"), icon="step-forward", tooltip="train a few epochs")
        self.play_button = widgets.ToggleButton(description=words("play"), icon="play", value=False,
                                                tooltip="train until paused")
        self.reset_button = widgets.Button(description=words("reset"), icon="refresh", tooltip="start again from the seed")
        self.status = widgets.HTML()
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.play_button.observe(self._toggle_play, names="value")
        self._start([widgets.VBox(shown[:5]), widgets.VBox(shown[5:11]), widgets.VBox(shown[11:])], dpi=72,
                    dynamic=self.drawing.dynamic, keep=self._kept())
        self.children = (widgets.HBox([self.play_button, self.step_button, self.reset_button, self.status]),
                         *self.children)

    @staticmethod
    def _shapes(current) -> list:
        shapes = [(), (2,), (4,), (8,), (4, 2), (8, 4), (8, 8), (8, 8, 8), (8, 8, 8, 8, 8, 8)]
        shapes = sorted(set(shapes) | {tuple(current)}, key=lambda s: (len(s), s))
        return [(" → ".join(map(str, s)) if s else "none", s) for s in shapes]

    @classmethod
    def from_config(cls, config, *, hide=(), **kwargs) -> "Playground":
        """A playground with ``config`` restored (e.g. a teacher's set-up) and the ``hide``-n controls hidden."""
        return cls(config, hide=hide, **kwargs)

    # what the controls do -----------------------------------------------------------------

    def _read_controls(self) -> dict:
        values = {name: control.value for name, control in self.inputs.items()
                  if name not in ("show_test", "discretize")}
        values["features"] = list(values["features"]) or ["x1"]
        values["regularization"] = None if values["regularization"] == "none" else values["regularization"]
        values["hidden"] = list(values["hidden"])
        if self._own_data[0] is not None:
            values.pop("dataset")
        elif values["dataset"] not in ("blobs", "spiral"):
            values["n_classes"] = 2
        return {**self.config, **values}

    def _changed(self, change=None):
        import time

        started = time.perf_counter()
        self.update()
        self._show()
        self.render_seconds.append(time.perf_counter() - started)

    def background_key(self):
        return self.drawing.setup_text()

    def update(self):
        with self._lock:
            config = check_config(self._read_controls())
            show_test, discretize = self.inputs["show_test"].value, self.inputs["discretize"].value
            changed = {key for key in config if config[key] != self.config[key]}
            self.config = config
            if changed == {"learning_rate"}:
                # as in Playground, a new learning rate applies at once, without starting again
                self.trainer.optimizer.learning_rate.assign(config["learning_rate"])
                self.trainer.config["learning_rate"] = config["learning_rate"]
                self.drawing.set_setup_title()
            elif changed:
                self._rebuild()   # a new set-up: new data, a new model and new artists, drawn by the new drawing
                self.status.value = self._status()
                return
            self.drawing.show_test, self.drawing.discretize = show_test, discretize
            self.drawing.update()
            self.status.value = self._status()

    def _rebuild(self):
        x, y = self._own_data
        self.trainer = Trainer(self.config, x=x, y=y)
        self.drawing = PlaygroundDrawing(self.trainer, show_test=self.inputs["show_test"].value,
                                         discretize=self.inputs["discretize"].value, figure=self.figure, title=False)
        self._new_blitter()

    @property
    def redraw_alone(self) -> list:
        """The loss axes: new limits while playing redraw them, not the whole figure (a third of the cost)."""
        return [self.drawing.loss_ax]

    def _kept(self) -> list:
        """The neuron pictures: in their own axes, so a frame can leave them as last drawn."""
        return [self.drawing.neuron_image] if self.drawing.neuron_image is not None else []

    def _new_blitter(self):
        """A new set-up has new artists: blit those, over a background laid out afresh."""
        self._blitter = Blitter(self.figure, self.drawing.dynamic, dpi=self._dpi, keep=self._kept())
        self._background_state = None

    def _status(self) -> str:
        logs = self.trainer.history
        if not logs["loss"]:
            return words("epoch {epoch}", epoch=self.trainer.epoch)
        text = words("epoch {epoch} · test loss {loss}", epoch=self.trainer.epoch,
                     loss=significant(logs["val_loss"][-1], 3))
        if "val_accuracy" in logs:
            text += words(" · test accuracy {accuracy}", accuracy=significant(logs["val_accuracy"][-1], 3))
        return text

    def _show(self, encoding: str = "png", unchanged=()):
        """Put the current picture in the image widget: PNG when it stays (a step, a pause), JPEG while playing."""
        value = self._render_blitted(encoding, unchanged)
        with self.image.hold_sync():   # one message: the format and the bytes change together
            self.image.format = encoding
            self.image.value = value

    def step(self, epochs: int | None = None) -> dict:
        """Train ``epochs`` (default ``epochs_per_step``) more epochs and redraw; returns the logs."""
        epochs = self.epochs_per_step if epochs is None else count(epochs, "epochs", high=100_000, example=10)
        with self._lock:
            logs = self.trainer.train(epochs)
            self.drawing.update()
            self.status.value = self._status()
            self._show()
        return logs

    def reset(self) -> None:
        """Start again: the same set-up, new weights from the seed, epoch 0."""
        self.pause()
        with self._lock:
            self._rebuild()
            self.drawing.update()
            self.status.value = self._status()
            self._show()

    def play(self) -> None:
        """Keep training (in a background thread of the kernel) until :meth:`pause`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._playing.set()
        self._thread = threading.Thread(target=self._run, name="tfedu-playground", daemon=True)
        self._thread.start()
        self.play_button.value = True

    def pause(self) -> None:
        """Stop training after the current step."""
        self._playing.clear()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._thread = None
        self.play_button.value = False

    def _run(self):
        """Train and draw in turn, training ``TRAIN_PER_DRAW`` times as long as the last picture took to draw, so
        that drawing takes under a quarter of the time however fast the machine (and never fewer epochs than
        one step)."""
        import time

        draw_seconds, relimited, frame, reach = 0.05, -RELIMIT_SECONDS, 0, 0
        last_time, last_epoch = time.perf_counter(), self.trainer.epoch
        while self._playing.is_set():
            started = time.perf_counter()
            with self._lock:
                self.trainer.train(self.epochs_per_step)
                while time.perf_counter() - started < TRAIN_PER_DRAW * draw_seconds and self._playing.is_set():
                    self.trainer.train(max(1, self.epochs_per_step // 5))
                drawn = time.perf_counter()
                # new loss-axis limits redraw everything: every RELIMIT_SECONDS, or sooner (but not more than
                # twice a second) when the curves ran out of the axes
                since = drawn - relimited
                relimit = since >= RELIMIT_SECONDS or (since >= 0.5 and self.drawing.outgrown())
                if relimit:   # make room for the epochs until the next change, at the rate seen lately
                    rate = (self.trainer.epoch - last_epoch) / max(drawn - last_time, 1e-3)
                    reach = self.trainer.epoch + 1.5 * rate * RELIMIT_SECONDS
                    relimited, last_time, last_epoch = drawn, drawn, self.trainer.epoch
                frame += 1
                neurons = frame % 2 == 1 or relimit   # the neuron pictures every other frame
                self.drawing.update(relimit=relimit, neurons=neurons, reach=reach if relimit else 0)
                self.status.value = self._status()
                self._show("jpeg", unchanged=() if neurons else [self.drawing.neuron_image])
                draw_seconds = time.perf_counter() - drawn
        with self._lock:   # the picture that stays after a pause: limits that fit, a sharp PNG
            self.drawing.update()
            self._show()

    def _toggle_play(self, change):
        if change["new"] and not self._playing.is_set():
            self.play()
        elif not change["new"] and self._playing.is_set():
            self._playing.clear()

    def close(self):
        self._playing.clear()
        super().close()

    # what a student takes away -------------------------------------------------------------

    @property
    def model(self):
        """The live ``keras.Sequential`` being trained."""
        return self.trainer.model

    @property
    def history(self) -> dict:
        """``{"loss": [...], "val_loss": [...], ...}``, one entry per step (``trainer.logged_epochs``).

        Drawn as LivePlot draws a fit: ``TrainingHistory.from_logs(pg.history, epochs=pg.trainer.logged_epochs).plot()``.
        """
        return self.trainer.history

    def weights(self):
        """The live model's weights now, as a table (call it while playing to watch them change)."""
        with self._lock:
            return self.trainer.weights()

    def to_code(self, epochs: int | None = None) -> str:
        """The Keras script that rebuilds this model and trains it on the same data."""
        return self.trainer.to_code(epochs)

    def describe(self) -> str:
        c = self.config
        shape = " → ".join(str(n) for n in [len(c["features"]), *c["hidden"], self.trainer.n_outputs])
        data = c["dataset"] if self._own_data[0] is None else "your data"
        text = (f"Playground: {data}, {shape} {c['activation']}, {c['optimizer']} lr={significant(c['learning_rate'])}, "
                f"epoch {self.trainer.epoch}")
        logs = self.trainer.history if self.trainer.history["loss"] else self.trainer.evaluate()
        last = {key: (values[-1] if isinstance(values, list) else values) for key, values in logs.items()}
        text += f", test loss {significant(last['val_loss'], 3)}"
        if "val_accuracy" in last:
            text += f", test accuracy {significant(last['val_accuracy'], 3)}"
        return text


def playground_explorer(config=None, *, preset: str | None = None, x=None, y=None, hide=(), epochs_per_step: int = 10,
                        show_test: bool = False, discretize: bool = False) -> Playground:
    """TensorFlow Playground on a real Keras model: controls, play / pause / step / reset, live pictures.

    ``config`` is a set-up (a dict; see ``tfedu.playground.DEFAULTS``), or ``preset`` the name of one
    of ``tfedu.playground.PRESETS`` (the classic experiments); ``x`` and ``y`` your own 2-D points
    and labels, ``hide`` the names of controls to hide (see :data:`CONTROLS`).

    >>> playground = playground_explorer({"dataset": "xor", "hidden": [4], "learning_rate": 0.1})
    >>> print(playground)
    Playground: xor, 2 → 4 → 1 tanh, sgd lr=0.1, epoch 0, test loss 0.84, test accuracy 0.472
    >>> _ = playground.step(100); playground.trainer.epoch
    100
    """
    if preset is not None:
        from tfedu._validate import choice
        from tfedu.playground.compute import PRESETS

        if config is not None:
            raise TypeError("give config or preset, not both: a preset is a config (PRESETS[name]['config']).")
        config = PRESETS[choice(preset, "preset", list(PRESETS))]["config"]
    return Playground(config, x=x, y=y, hide=hide, epochs_per_step=epochs_per_step, show_test=show_test,
                      discretize=discretize)
