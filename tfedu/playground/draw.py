"""The draw layer of ``tfedu.playground``: the decision surface with the points, the loss curves, and every
hidden neuron's own picture.

:func:`draw_playground` draws a :class:`~tfedu.playground.Trainer` as Playground does and returns a
:class:`PlaygroundDrawing`, whose :meth:`~PlaygroundDrawing.update` redraws the same artists after
more training (``set_data`` on the heatmaps and curves: no new figure).
"""
from __future__ import annotations

import numpy as np

from tfedu._i18n import text as words
from tfedu._text import significant

__all__ = ["PlaygroundDrawing", "draw_playground"]

CLASS_COLOURS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00")   # Okabe-Ito
SURFACE_MAP = "RdBu"


class PlaygroundDrawing:
    """The figure of a trainer: ``.figure``, ``.surface_ax``, ``.loss_ax``, ``.neuron_axes``; :meth:`update`."""

    def __init__(self, trainer, *, resolution: int = 50, neuron_resolution: int = 20, show_test: bool = False,
                 discretize: bool = False, figure=None):
        self.trainer = trainer
        self.resolution, self.neuron_resolution = resolution, neuron_resolution
        self.show_test, self.discretize = show_test, discretize
        from matplotlib.figure import Figure

        hidden = trainer.config["hidden"]
        columns = max([1, *hidden])
        if figure is None:
            figure = Figure(figsize=(10.0, 4.2 + 1.0 * len(hidden)), layout="constrained")
        else:  # draw a new set-up into the same figure (the widget keeps one figure for its whole life)
            figure.clear()
            figure.set_layout_engine("constrained")
            figure.set_size_inches(10.0, 4.2 + 1.0 * len(hidden))
        self.figure = figure
        if hidden:
            top, bottom = self.figure.subfigures(2, 1, height_ratios=[4.2, 1.0 * len(hidden)])
        else:
            top, bottom = self.figure, None
        self.surface_ax, self.loss_ax = top.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1.0]})
        extent = (-6, 6, -6, 6)
        low, high = self._limits()
        self.surface_image = self.surface_ax.imshow(np.zeros((resolution, resolution)), extent=extent,
                                                    cmap=self._cmap(), vmin=low, vmax=high,
                                                    interpolation="bilinear", alpha=0.85)
        self.train_points = self._scatter(trainer.train_points, trainer.train_labels, edge="white")
        self.test_points = self._scatter(trainer.test_points, trainer.test_labels, edge="black")
        self.surface_ax.set(xlim=(-6, 6), ylim=(-6, 6), xlabel="x₁", ylabel="x₂")
        self.surface_ax.set_aspect("equal")
        self.surface_ax.set_title(words("decision surface" if not trainer.regression else "prediction"), fontsize=10)
        self.title = self.surface_ax.text(0.02, 0.98, "", transform=self.surface_ax.transAxes, ha="left", va="top",
                                          fontsize=8.5, zorder=5,
                                          bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, edgecolor="none"))
        self.train_line, = self.loss_ax.plot([], [], color="#000000", lw=1.5, label=words("training loss"))
        self.test_line, = self.loss_ax.plot([], [], color="#D55E00", lw=1.5, label=words("test loss"))
        self.loss_ax.set(xlabel=words("epoch"), ylabel=words("loss"), yscale="log", xlim=(0, 10))
        self.loss_ax.set_title(self.setup_text(), fontsize=9)
        self.loss_ax.legend(fontsize=8, loc="upper right")
        # every hidden neuron's output over the same square: one row of thumbnails per hidden layer
        self.neuron_images = []
        if hidden:
            grid = bottom.subplots(len(hidden), columns, squeeze=False)
            for row, units in enumerate(hidden):
                images = []
                for column in range(columns):
                    ax = grid[row][column]
                    ax.set_xticks([])
                    ax.set_yticks([])
                    if column >= units:
                        ax.set_axis_off()
                        continue
                    images.append(ax.imshow(np.zeros((neuron_resolution, neuron_resolution)), cmap=SURFACE_MAP,
                                            vmin=-1, vmax=1, extent=extent, interpolation="bilinear"))
                    if column == 0:
                        ax.set_ylabel(words("layer {number}", number=row + 1), fontsize=8)
                self.neuron_images.append(images)
        self.update()

    def setup_text(self) -> str:
        """The set-up in one line (shown above the loss curves): layers, activation, optimizer, penalties."""
        c, trainer = self.trainer.config, self.trainer
        shape = " → ".join(str(n) for n in [len(c["features"]), *c["hidden"], trainer.n_outputs])
        parts = [shape, c["activations"] and "/".join(c["activations"]) or c["activation"],
                 f"{c['optimizer']} lr {significant(c['learning_rate'])}", f"batch {c['batch_size']}",
                 "cross-entropy" if c["loss"] == "crossentropy" and not trainer.regression else "MSE"]
        if c["regularization"] and c["regularization_rate"] > 0:
            parts.append(f"{c['regularization'].upper()} {significant(c['regularization_rate'])}")
        if c["dropout"] > 0:
            parts.append(f"dropout {significant(c['dropout'])}")
        if c["initializer"] != "glorot_uniform":
            parts.append(c["initializer"])
        return words("loss over time: ") + " · ".join(parts[:3]) + "\n" + " · ".join(parts[3:])

    def _cmap(self):
        if self.trainer.regression or self.trainer.n_outputs == 1:
            return SURFACE_MAP
        from matplotlib.colors import ListedColormap

        return ListedColormap(CLASS_COLOURS[: self.trainer.n_outputs])

    def _limits(self):
        trainer = self.trainer
        if trainer.regression:
            span = float(np.max(np.abs(trainer.labels))) or 1.0
            return -span, span
        if trainer.n_outputs == 1:
            return 0.0, 1.0
        return -0.5, trainer.n_outputs - 0.5

    def _scatter(self, points, labels, edge):
        trainer = self.trainer
        if trainer.regression:
            low, high = self._limits()
            return self.surface_ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=SURFACE_MAP, vmin=low, vmax=high,
                                           s=18, edgecolors=edge, linewidths=0.9, zorder=3)
        if trainer.n_outputs == 1:   # the two classes at the two ends of the surface's colour map
            colours = np.where(np.asarray(labels) == 1, "#2166ac", "#b2182b")
        else:
            colours = np.array(CLASS_COLOURS)[np.asarray(labels)]
        return self.surface_ax.scatter(points[:, 0], points[:, 1], c=colours, s=18, edgecolors=edge, linewidths=0.9,
                                       zorder=3)

    def _class_colours(self, probabilities) -> np.ndarray:
        """An RGB picture: each point in its most likely class's colour, paler where the model is unsure
        (pure colours with ``discretize``)."""
        from matplotlib.colors import to_rgb

        k = probabilities.shape[-1]
        palette = np.array([to_rgb(colour) for colour in CLASS_COLOURS[:k]])
        winner = np.argmax(probabilities, axis=-1)
        colours = palette[winner]
        if self.discretize:
            return colours
        sureness = (probabilities.max(axis=-1, keepdims=True) - 1 / k) / (1 - 1 / k)
        return 1.0 - (1.0 - colours) * (0.25 + 0.75 * sureness)

    @property
    def dynamic(self) -> list:
        """The artists :meth:`update` changes."""
        return [self.surface_image, self.train_line, self.test_line, self.title, self.test_points,
                *[image for row in self.neuron_images for image in row]]

    def update(self) -> None:
        """Redraw the surface, the curves and the neurons from the trainer's current model."""
        trainer = self.trainer
        if not trainer.regression and trainer.n_outputs > 1:
            self.surface_image.set_data(self._class_colours(trainer.probabilities(self.resolution)))
        else:
            surface = trainer.surface(self.resolution)
            if self.discretize and not trainer.regression:
                surface = (surface > 0.5).astype(float)
            self.surface_image.set_data(surface)
        history = trainer.history
        epochs = np.asarray(trainer.logged_epochs)
        self.train_line.set_data(epochs, history["loss"])
        self.test_line.set_data(epochs, history["val_loss"])
        if len(epochs):
            # limits grow in steps (doubling epochs, whole decades of loss), so that most frames only redraw
            # the curves, not the axes
            right = self.loss_ax.get_xlim()[1]
            while epochs[-1] > right:
                right *= 2
            self.loss_ax.set_xlim(0, right)
            values = np.asarray(history["loss"] + history["val_loss"], dtype=float)
            values = values[np.isfinite(values) & (values > 0)]
            if values.size:
                low, high = 10.0 ** np.floor(np.log10(values.min())), 10.0 ** np.ceil(np.log10(values.max()))
                self.loss_ax.set_ylim(low, high if high > low else low * 10)
        self.test_points.set_visible(self.show_test)
        logs = trainer.evaluate() if not history["loss"] else {key: values[-1] for key, values in history.items()}
        text = words("epoch {epoch}: test loss {loss}", epoch=trainer.epoch, loss=significant(logs["val_loss"], 3))
        if "val_accuracy" in logs:
            text += words(", test accuracy {accuracy}", accuracy=significant(logs["val_accuracy"], 3))
        self.title.set_text(text)
        if self.neuron_images:
            for images, outputs in zip(self.neuron_images, trainer.neuron_outputs(self.neuron_resolution)):
                for image, output in zip(images, outputs):
                    scale = float(np.max(np.abs(output))) or 1.0
                    image.set_data(output / scale)


def draw_playground(trainer, *, resolution: int = 50, show_test: bool = False,
                    discretize: bool = False) -> PlaygroundDrawing:
    """Draw a trainer as Playground does: its decision surface and points, its loss curves, its neurons.

    >>> from tfedu.playground import Trainer
    >>> trainer = Trainer({"dataset": "xor", "hidden": [3]})
    >>> _ = trainer.train(epochs=5)
    >>> drawing = draw_playground(trainer)
    >>> drawing.title.get_text().startswith("epoch 5: test loss"), len(drawing.neuron_images[0])
    (True, 3)
    """
    return PlaygroundDrawing(trainer, resolution=resolution, show_test=show_test, discretize=discretize)
