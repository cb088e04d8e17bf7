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
    """The figure of a trainer: ``.figure``, ``.surface_ax``, ``.loss_ax``, ``.neuron_image``; :meth:`update`.

    ``title=False`` leaves out the epoch and test loss drawn on the surface (the widget shows them
    in its status line instead: text is the costliest thing a live frame draws).
    """

    def __init__(self, trainer, *, resolution: int = 50, neuron_resolution: int = 20, show_test: bool = False,
                 discretize: bool = False, figure=None, title: bool = True):
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
        self.surface_ax.set(xlim=(-6, 6), ylim=(-6, 6), xlabel="x₁", ylabel="x₂", xticks=[-6, -3, 0, 3, 6],
                            yticks=[-6, -3, 0, 3, 6])
        self.surface_ax.set_aspect("equal")
        self.surface_ax.set_title(words("decision surface" if not trainer.regression else "prediction"), fontsize=10)
        self.title = self.surface_ax.text(0.02, 0.98, "", transform=self.surface_ax.transAxes, ha="left", va="top",
                                          fontsize=8.5, zorder=5,
                                          bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, edgecolor="none"))
        self.train_line, = self.loss_ax.plot([], [], color="#000000", lw=1.5, label=words("training loss"))
        self.test_line, = self.loss_ax.plot([], [], color="#D55E00", lw=1.5, label=words("test loss"))
        self.loss_ax.set(xlabel=words("epoch"), ylabel=words("loss"), yscale="log", xlim=(0, 10))
        # plain labels on decades only: text is most of what a full redraw costs (mathtext 10^x the most)
        from matplotlib.ticker import LogFormatter, MaxNLocator, NullLocator

        self.loss_ax.yaxis.set_major_formatter(LogFormatter())
        self.loss_ax.yaxis.set_minor_locator(NullLocator())
        self.loss_ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        # labels at fixed places: matplotlib then skips measuring every tick label to place them
        self.loss_ax.xaxis.set_label_coords(0.5, -0.09)
        self.loss_ax.yaxis.set_label_coords(-0.15, 0.5)
        self.set_setup_title()
        self.loss_ax.legend(fontsize=8, loc="upper right")
        # every hidden neuron's output over the same square, one row of tiles per hidden layer: one mosaic
        # image, so a frame draws one image however many neurons there are (16 thumbnails cost 8x more)
        self.neuron_counts = list(hidden)
        self.neuron_image = None
        if hidden:
            from matplotlib import colormaps

            ax = bottom.subplots()
            ax.set_axis_off()
            self._tile = neuron_resolution + max(2, neuron_resolution // 6)
            gap = self._tile - neuron_resolution
            self._mosaic = np.full((len(hidden) * self._tile - gap, columns * self._tile - gap), np.nan)
            self.neuron_image = ax.imshow(self._mosaic, cmap=colormaps[SURFACE_MAP].with_extremes(bad="white"),
                                          vmin=-1, vmax=1, interpolation="bilinear", aspect="equal")
            for row in range(len(hidden)):
                ax.text(-gap, row * self._tile + (neuron_resolution - 1) / 2, words("layer {number}", number=row + 1),
                        ha="right", va="center", fontsize=8)
        self.title.set_visible(title)
        self.update()

    def set_setup_title(self) -> None:
        """The set-up above the loss curves, at a fixed height (no search for room above the ticks)."""
        self.loss_ax.set_title(self.setup_text(), fontsize=9, y=1.0, pad=6)

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
                *([self.neuron_image] if self.neuron_image is not None else [])]

    def outgrown(self) -> bool:
        """The curves have run past the loss axes' limits (the last epoch, or a loss below the bottom)."""
        epochs, losses = self.trainer.logged_epochs, self.trainer.history["loss"]
        if not epochs:
            return False
        low = self.loss_ax.get_ylim()[0]
        return epochs[-1] > self.loss_ax.get_xlim()[1] or (np.isfinite(losses[-1]) and 0 < losses[-1] < low)

    def neuron_tile(self, layer: int, unit: int) -> np.ndarray:
        """The picture of hidden neuron ``unit`` of hidden layer ``layer`` (both from 0), as last drawn."""
        if not 0 <= layer < len(self.neuron_counts) or not 0 <= unit < self.neuron_counts[layer]:
            raise IndexError(f"no hidden neuron ({layer}, {unit}): the hidden layers have {self.neuron_counts} units.")
        size = self.neuron_resolution
        top, left = layer * self._tile, unit * self._tile
        return self._mosaic[top:top + size, left:left + size].copy()

    def update(self, *, relimit: bool = True, neurons: bool = True, reach: float = 0) -> None:
        """Redraw the surface, the curves and the neurons from the trainer's current model.

        ``relimit=False`` keeps the loss axes' limits (the curves may run past them for a while): new
        limits mean redrawing the whole figure, about 7 times a blitted frame, so a live view sets
        them every few seconds, with ``reach`` the epoch training will have reached by the next
        change (so the curves stay inside). ``neurons=False`` leaves the neuron pictures as they
        are (a live view updates them every other frame).
        """
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
        if len(epochs) and relimit:
            # limits grow in steps (doubling epochs, whole decades of loss), so that most frames only redraw
            # the curves, not the axes
            right = self.loss_ax.get_xlim()[1]
            while max(epochs[-1], reach) > right:
                right *= 2
            self.loss_ax.set_xlim(0, right)
            values = np.asarray(history["loss"] + history["val_loss"], dtype=float)
            values = values[np.isfinite(values) & (values > 0)]
            if values.size:
                low, high = 10.0 ** np.floor(np.log10(values.min())), 10.0 ** np.ceil(np.log10(values.max()))
                low = low / 10 if reach else low   # live: a decade of room below, for the loss still falling
                self.loss_ax.set_ylim(low, high if high > low else low * 10)
        self.test_points.set_visible(self.show_test)
        logs = trainer.evaluate() if not history["loss"] else {key: values[-1] for key, values in history.items()}
        text = words("epoch {epoch}: test loss {loss}", epoch=trainer.epoch, loss=significant(logs["val_loss"], 3))
        if "val_accuracy" in logs:
            text += words(", test accuracy {accuracy}", accuracy=significant(logs["val_accuracy"], 3))
        self.title.set_text(text)
        if self.neuron_image is not None and neurons:
            size = self.neuron_resolution
            for row, outputs in enumerate(trainer.neuron_outputs(size)):
                for column, output in enumerate(outputs):
                    scale = float(np.max(np.abs(output))) or 1.0
                    top, left = row * self._tile, column * self._tile
                    self._mosaic[top:top + size, left:left + size] = output / scale
            self.neuron_image.set_data(self._mosaic)


def draw_playground(trainer, *, resolution: int = 50, show_test: bool = False,
                    discretize: bool = False) -> PlaygroundDrawing:
    """Draw a trainer as Playground does: its decision surface and points, its loss curves, its neurons.

    >>> from tfedu.playground import Trainer
    >>> trainer = Trainer({"dataset": "xor", "hidden": [3]})
    >>> _ = trainer.train(epochs=5)
    >>> drawing = draw_playground(trainer)
    >>> drawing.title.get_text().startswith("epoch 5: test loss"), drawing.neuron_counts, drawing.neuron_tile(0, 2).shape
    (True, [3], (20, 20))
    """
    return PlaygroundDrawing(trainer, resolution=resolution, show_test=show_test, discretize=discretize)
