"""The draw layer of ``tfedu.optimizers``: trajectories on the contour plot, and the loss against the step.

:func:`draw_race` draws an :class:`~tfedu.optimizers.OptimizerRace`;
:func:`plot_race` runs one (:func:`~tfedu.optimizers.run_race`) and draws it.
``tfedu.optimizers.optimizer_race``, the name lessons use, is :func:`plot_race`
(or, with ``interactive=True``, the race widget).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from tfedu._figures import check_axes, figure_for
from tfedu._validate import describe
from tfedu.optimizers.compute import OptimizerRace, _point, run_race

__all__ = ["COLOURS", "draw_race", "plot_race"]

# Okabe and Ito's colour-blind-safe palette (yellow swapped for a purple that shows on the contours):
# eight hues that stay apart, so that momentum and Nesterov, or Adam and Nadam, are not two shades of one.
COLOURS = {"SGD": "#000000", "SGD+momentum": "#0072B2", "SGD+Nesterov": "#E69F00", "Adagrad": "#009E73",
           "RMSprop": "#CC79A7", "Adadelta": "#56B4E9", "Adam": "#D55E00", "Nadam": "#6A3D9A"}
_AXES = dict(count=(1, 2), example="plt.subplots(1, 2)")  # the contour plot, and the loss


def _draw_surface(ax, surface):
    from matplotlib.colors import LogNorm

    xs = np.linspace(*surface.xlim, 200)
    ys = np.linspace(*surface.ylim, 200)
    grid = np.meshgrid(xs, ys)
    z = surface.function(*grid)
    levels = surface.levels()
    norm = LogNorm(levels[0], levels[-1]) if surface.log_loss else None
    filled = ax.contourf(*grid, np.clip(z, levels[0], None) if surface.log_loss else z, levels=levels, norm=norm,
                         cmap="Greys_r", alpha=0.35, extend="both")
    lines = ax.contour(*grid, z, levels=levels, colors="#8c959f", linewidths=0.5, norm=norm)
    # start and goal stay visible above the trajectories' end markers
    artists = [filled, lines, *ax.plot(*surface.start, marker="X", color="black", mec="white", mew=0.8, ms=9,
                                        ls="none", zorder=6)]
    if surface.minimum is not None:
        artists += ax.plot(*surface.minimum, marker="*", color="#d4a72c", mec="black", mew=0.6, ms=15, ls="none",
                           zorder=6, alpha=0.9)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_aspect("equal", adjustable="box")  # one unit is as long on both axes: a narrow valley looks narrow
    goal = f", ★ minimum {_point(surface.minimum)}" if surface.minimum is not None else ""
    ax.set(xlabel="x", ylabel="y")
    ax.set_title(f"{surface.name}: {surface.formula}\n✕ start{goal}", fontsize=9)
    return artists


def _style_loss_axes(ax, surface, steps):
    ax.set_yscale("log" if surface.log_loss else "linear")
    ax.set_ylim(*surface.loss_ylim)
    ax.set_xlim(0, steps)
    ax.set(xlabel="step", ylabel="loss f(x, y)" + (" (log scale)" if surface.log_loss else ""),
           title="loss at each step")


def draw_race(race: OptimizerRace, ax=None) -> OptimizerRace:
    """Draw a race from :func:`~tfedu.optimizers.run_race`: paths on the contour plot, loss against step.

    Pass ``ax``: one axes for the contour plot only, two for both panels.
    Returns a copy of ``race`` with ``.figure`` set (it prints the same table).

    >>> from tfedu.optimizers import run_race
    >>> drawn = draw_race(run_race("saddle", ["SGD"], steps=20))
    >>> [ax.get_title() for ax in drawn.figure.axes][1]
    'loss at each step'
    """
    if not isinstance(race, OptimizerRace):
        raise TypeError(f"draw_race draws the result of run_race(...), got {describe(race)}. Call "
                        "draw_race(run_race('rosenbrock')), or plot_race('rosenbrock') to run and draw in one step.")
    figure, axes = figure_for(ax, figsize=(11.0, 4.4), ncols=2, gridspec_kw={"width_ratios": [1.1, 1.0]}, **_AXES)
    contour_ax, loss_ax = axes[0], (axes[1] if len(axes) > 1 else None)
    _draw_surface(contour_ax, race.surface)
    for name in race.optimizers:
        path, colour = race.paths[name], COLOURS[name]
        label = name + (" (diverged)" if race.diverged(name) else "")
        contour_ax.plot(path[:, 0], path[:, 1], color=colour, lw=1.6, label=label)
        contour_ax.plot(*path[-1], "o", color=colour, mec="white", mew=0.8, ms=6, zorder=5)
        if loss_ax is not None:
            loss_ax.plot(np.arange(len(race.losses[name])), race.losses[name], color=colour, lw=1.6, label=label)
    if loss_ax is not None:
        _style_loss_axes(loss_ax, race.surface, race.steps)
        loss_ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    else:
        contour_ax.legend(fontsize=8, loc="best")
    return dataclasses.replace(race, figure=figure)


def plot_race(surface="rosenbrock", optimizers=None, *, learning_rate=None, steps: int | None = None,
              start=None, ax=None) -> OptimizerRace:
    """Race Keras optimizers on a 2-D surface: trajectories on the contour plot, and loss against step.

    Runs :func:`~tfedu.optimizers.run_race` and draws it with :func:`draw_race`
    (pass ``ax``: one axes for the contour plot only, two for both panels).
    Returns the :class:`~tfedu.optimizers.OptimizerRace` (``.paths``,
    ``.losses``, ``.figure``), which prints a results table.

    >>> race = plot_race("quadratic", ["SGD", "Adam"], learning_rate=0.05, steps=100)
    >>> race.verdict(), len(race.figure.axes)
    ('lowest loss: SGD', 2)
    >>> import matplotlib.pyplot as plt; plt.close(race.figure)
    """
    check_axes(ax, **_AXES)  # before the race runs
    return draw_race(run_race(surface, optimizers, learning_rate=learning_rate, steps=steps, start=start), ax)
