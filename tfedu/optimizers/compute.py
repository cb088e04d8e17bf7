"""The compute layer of ``tfedu.optimizers``: real Keras optimizers raced on a 2-D surface, no drawing.

:func:`run_race` returns an :class:`OptimizerRace`: the paths and losses, and a
results table that prints only the digits round-off cannot change.

>>> race = run_race("quadratic", ["SGD", "Adam"], learning_rate=0.05, steps=100)
>>> race.final_loss("SGD") < 1e-3, race.paths["Adam"].shape
(True, (101, 2))
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from tfedu._text import determined, html_table, significant, table
from tfedu._validate import choice, choices, count, describe, finite_array, keys, number
from tfedu.optimizers.surfaces import MAX_STEPS, OPTIMIZERS, SURFACES, Surface, runner

__all__ = ["OptimizerRace", "run_race"]


def _point(p) -> str:
    return f"({significant(p[0])}, {significant(p[1])})"


@dataclass
class OptimizerRace:
    """Where each optimizer went: ``paths[name]`` (steps + 1, 2) and ``losses[name]`` (steps + 1,).

    A run that diverged (non-finite values) or left the plot far behind is cut
    there: ``stopped[name]`` is that step (else ``None``) and its arrays are
    shorter.
    """

    surface: Surface
    start: tuple
    steps: int
    learning_rates: dict
    paths: dict
    losses: dict
    stopped: dict
    figure: object = field(default=None, repr=False)
    _spreads: dict = field(default=None, repr=False)

    #: How far the start is nudged to measure how much round-off can move a result (see :meth:`spread`).
    NUDGE = 1e-9

    @property
    def optimizers(self) -> list:
        return list(self.paths)

    def _raced(self, name) -> str:
        if name in self.paths:
            return name
        if isinstance(name, str) and name in OPTIMIZERS:
            raise ValueError(f"{name} did not run in this race; it ran {', '.join(self.paths)}.")
        return choice(name, "name", list(self.paths), what="optimizer")

    def final_loss(self, name) -> float:
        name = self._raced(name)
        return float(self.losses[name][-1]) if self.stopped[name] is None else float("nan")

    def final_position(self, name) -> np.ndarray:
        return self.paths[self._raced(name)][-1]

    def spread(self, name) -> dict:
        """How far round-off could move this optimizer's result.

        Floating-point results differ in their last bits between machines (SIMD
        width, fused multiply-add), and an optimizer that oscillates amplifies
        those bits step after step. Two measurements, by re-running the race:

        * ``loss``, ``x``, ``y``, ``distance``: the largest change when the start is
          nudged by :attr:`NUDGE` in x or in y (how many digits a smooth path keeps);
        * ``chaos_loss``, ``chaos_x``, ``chaos_y``: the change when the learning rate
          moves to the next float32, which alters every step a little, as a different
          rounding would, only far more. If even that leaves the first digit alone,
          round-off cannot reach it; if it does, the result is called chaotic;
        * ``stopped``: the set of steps at which the runs stopped (diverged).

        The printed table keeps only digits neither measurement can change, so it
        reads the same on every machine.
        """
        name = self._raced(name)
        if self._spreads is None:
            self._spreads = {}
        if name not in self._spreads:
            base_path, base_loss = self.paths[name], self.losses[name]
            changes = {key: 0.0 for key in ("loss", "x", "y", "distance", "chaos_loss", "chaos_x", "chaos_y")}
            changes["stopped"] = {self.stopped[name]}
            rate = self.learning_rates[name]
            next_rate = float(np.nextafter(np.float32(rate), np.float32(np.inf)))
            for nudge, nudged_rate, prefix in (((self.NUDGE, 0.0), rate, ""), ((0.0, self.NUDGE), rate, ""),
                                               ((0.0, 0.0), next_rate, "chaos_")):
                start = (self.start[0] + nudge[0] * max(1.0, abs(self.start[0])),
                         self.start[1] + nudge[1] * max(1.0, abs(self.start[1])))
                path, loss = runner(name, self.surface.name).run(start, nudged_rate)
                path, loss = path[:self.steps + 1], loss[:self.steps + 1]
                stop = _stop_step(self.surface, path, loss)
                changes["stopped"].add(stop)
                if stop is not None or self.stopped[name] is not None:
                    continue
                for key, new_value, old_value in (("loss", loss[-1], base_loss[-1]), ("x", path[-1, 0], base_path[-1, 0]),
                                                  ("y", path[-1, 1], base_path[-1, 1])):
                    changes[prefix + key] = max(changes[prefix + key], abs(float(new_value) - float(old_value)))
                if self.surface.minimum is not None and not prefix:
                    changes["distance"] = max(changes["distance"], abs(
                        float(np.hypot(*(path[-1] - self.surface.minimum)))
                        - float(np.hypot(*(base_path[-1] - self.surface.minimum)))))
            self._spreads[name] = changes
        return self._spreads[name]

    def _shown(self, name, key, value):
        """``value`` as the digits round-off cannot change, or None if it is chaotic."""
        spread = self.spread(name)
        chaos_key = "chaos_" + key if key != "distance" else None
        if chaos_key and determined(value, spread[chaos_key], margin=1.0) is None:
            return None
        if key == "distance" and any(determined(v, spread[k], margin=1.0) is None for k, v in
                                     (("chaos_x", self.final_position(name)[0]), ("chaos_y", self.final_position(name)[1]))):
            return None
        return determined(value, spread[key])

    def chaotic(self, name) -> bool:
        """True when round-off alone changes this optimizer's result in its first digit (or where it stops)."""
        spread = self.spread(name)
        if len(spread["stopped"]) > 1:
            return True
        if self.stopped[name] is not None:
            return False
        position = self.final_position(name)
        return any(self._shown(name, key, value) is None
                   for key, value in (("loss", self.final_loss(name)), ("x", position[0]), ("y", position[1])))

    def _lr_text(self) -> str:
        rates = set(self.learning_rates.values())
        return f"learning rate {significant(rates.pop())}" if len(rates) == 1 else "learning rates as given"

    def header(self) -> str:
        return (f"optimizer_race on {self.surface.name}: f = {self.surface.formula}\n"
                f"from {_point(self.start)}, {self.steps} steps, {self._lr_text()}")

    def rows(self):
        rows = []
        for name in self.paths:
            lr = "" if len(set(self.learning_rates.values())) == 1 else f" (lr {significant(self.learning_rates[name])})"
            spread = self.spread(name)
            if self.stopped[name] is not None:
                what = "diverged" if self.diverged(name) else "left the plot (downhill)"
                when = f" at step {self.stopped[name]}" if len(spread["stopped"]) == 1 else " (chaotic)"
                rows.append((name + lr, what + when, "", ""))
                continue
            if len(spread["stopped"]) > 1:
                rows.append((name + lr, "chaotic: round-off decides whether it diverges", "", ""))
                continue
            position = self.final_position(name)
            if self.chaotic(name):  # the whole path is decided by round-off: keep only a loss it cannot reach
                loss = determined(self.final_loss(name), max(spread["loss"], spread["chaos_loss"]))
                rows.append((name + lr, loss or "chaotic", "chaotic", "chaotic" if self.surface.minimum is not None else ""))
                continue
            loss = self._shown(name, "loss", self.final_loss(name))
            x, y = self._shown(name, "x", position[0]), self._shown(name, "y", position[1])
            where = f"({x}, {y})"
            distance = ""
            if self.surface.minimum is not None:
                distance = self._shown(name, "distance", np.hypot(*(position - self.surface.minimum)))
            rows.append((name + lr, loss if loss is not None else "chaotic", where, distance))
        return rows

    def note(self) -> str:
        """A line explaining "chaotic" in the table, or an empty string."""
        if not any(self.chaotic(name) for name in self.paths):
            return ""
        return ("chaotic: changing the learning rate in its last digit changes that result in its first digit, so "
                "round-off (different on every CPU) decides it. Fewer digits elsewhere mean the same for the last "
                "digits.")

    def diverged(self, name) -> bool:
        """Stopped with a loss that blew up (not one that kept falling, as off a saddle)."""
        name = self._raced(name)
        losses = self.losses[name]
        return self.stopped[name] is not None and not (np.isfinite(losses[-1]) and losses[-1] < losses[0])

    def best(self):
        """The optimizer with the lowest final loss (round-off could not change the order), or None."""
        finished = {n: self.final_loss(n) for n in self.paths if self.stopped[n] is None}
        return min(finished, key=finished.get) if finished else None

    def _too_close(self, best) -> list:
        """Finished optimizers whose final loss round-off could make lower than ``best``'s."""
        def reach(n):
            return max(10 * self.spread(n)["loss"], self.spread(n)["chaos_loss"])

        return [n for n in self.paths if n != best and self.stopped[n] is None and len(self.spread(n)["stopped"]) == 1
                and self.final_loss(n) - reach(n) <= self.final_loss(best) + reach(best)]

    def __str__(self) -> str:
        header = ["optimizer", f"loss after {self.steps}", "position"]
        if self.surface.minimum is not None:
            header.append(f"distance to minimum {_point(self.surface.minimum)}")
        results = table(header, [r[:len(header)] for r in self.rows()])
        note = self.note()
        return "\n".join([self.header(), results, self.verdict(), *([note] if note else [])])

    def verdict(self) -> str:
        escaped = sorted((self.stopped[n], n) for n in self.paths if self.stopped[n] is not None
                         and not self.diverged(n))
        if escaped:  # off a saddle: leaving first is winning
            return f"first to run off downhill: {escaped[0][1]} (step {escaped[0][0]})"
        best = self.best()
        if not best:
            return "every optimizer diverged: try a smaller learning rate"
        close = self._too_close(best)
        if close:
            return f"lowest loss: {' or '.join([best, *close])} (too close for round-off to tell)"
        return f"lowest loss: {best}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        minimum = self.surface.minimum is not None
        head = ["optimizer", f"loss after {self.steps}", "position", *(["distance to minimum"] if minimum else [])]
        results = html_table(head, [r[:len(head)] for r in self.rows()])
        header = html.escape(self.header()).replace("\n", "<br>")
        note = f"<p><small>{html.escape(self.note())}</small></p>" if self.note() else ""
        return f"<p>{header}</p>{results}<p>{html.escape(self.verdict())}</p>{note}"


def _check_surface(surface) -> Surface:
    if isinstance(surface, Surface):
        surface = surface.name
    return SURFACES[choice(surface, "surface", list(SURFACES), what="surface")]


def _case(name):
    """"adam" is Adam, as in Keras's optimizer strings."""
    by_lower = {n.lower(): n for n in OPTIMIZERS}
    return by_lower.get(name.lower(), name) if isinstance(name, str) else name


def _check_optimizers(optimizers) -> list:
    if optimizers is None:
        return list(OPTIMIZERS)
    if not isinstance(optimizers, str) and not np.iterable(optimizers):
        raise TypeError(f"optimizers must be a list of names such as ['SGD', 'Adam'] (or None for all), got "
                        f"{describe(optimizers)}.")
    names = choices([_case(n) for n in ([optimizers] if isinstance(optimizers, str) else optimizers)],
                    "optimizers", list(OPTIMIZERS), what="optimizer")
    return list(dict.fromkeys(names))  # each optimizer races once


def _rate(value, name):
    """A learning rate Keras can hold: a finite number > 0 that does not round to 0 (or inf) in float32."""
    rate = number(value, name, low=0, low_open=True)
    if not _FLOAT32_TINY <= rate <= _FLOAT32_MAX:
        raise ValueError(f"{name}={rate:g} cannot be stored in Keras's float32 learning rate (it would become "
                         f"{float(np.float32(rate)):g}); use a rate between {_FLOAT32_TINY:.2g} and {_FLOAT32_MAX:.2g}.")
    return rate


_FLOAT32_TINY, _FLOAT32_MAX = float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max)


def _learning_rates(learning_rate, surface, names) -> dict:
    if learning_rate is None:
        learning_rate = surface.learning_rate
    if isinstance(learning_rate, dict):
        given = {_case(k): v for k, v in learning_rate.items()}
        for key in given:
            if isinstance(key, str) and key in OPTIMIZERS and key not in names:
                raise ValueError(f"learning_rate gives a rate for {key}, which is not in this race (it races "
                                 f"{', '.join(names)}); add {key!r} to optimizers or remove the key.")
        keys(given, "learning_rate", names)
        rates = {n: given.get(n, surface.learning_rate) for n in names}
        return {n: _rate(rate, f"learning_rate[{n!r}]") for n, rate in rates.items()}
    rate = _rate(learning_rate, "learning_rate")
    return {n: rate for n in names}


def _check_steps(steps, surface) -> int:
    return count(surface.steps if steps is None else steps, "steps", high=MAX_STEPS, example=300,
                 hint=f"A race runs at most MAX_STEPS = {MAX_STEPS} steps (one compiled loop per optimizer).")


def _check_start(start, surface) -> tuple:
    if start is None:
        return surface.start
    if isinstance(start, (str, bytes)):
        raise TypeError(f"start must be two finite numbers (x, y), got {describe(start)}.")
    values = finite_array(start, "start").astype(float).reshape(-1)
    if values.size != 2:
        raise ValueError(f"start must be two finite numbers (x, y), got {tuple(values.tolist())!r}.")
    return tuple(float(v) for v in values)


def _stop_step(surface, path, losses):
    """First step that is not finite or lies far outside the plotted window (ten spans beyond it)."""
    span = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    outside = ((path[:, 0] < surface.xlim[0] - 10 * span) | (path[:, 0] > surface.xlim[1] + 10 * span)
               | (path[:, 1] < surface.ylim[0] - 10 * span) | (path[:, 1] > surface.ylim[1] + 10 * span))
    bad = ~np.isfinite(losses) | ~np.all(np.isfinite(path), axis=1) | outside
    return int(np.argmax(bad)) if bad.any() else None


def run_race(surface="rosenbrock", optimizers=None, *, learning_rate=None, steps: int | None = None,
             start=None) -> OptimizerRace:
    """Run each optimizer from the same start on a surface; no drawing.

    ``learning_rate`` is one number for all (default: the surface's, e.g.
    0.01 for Rosenbrock) or a dict by optimizer name. ``steps`` up to
    :data:`MAX_STEPS` (default 300). Each optimizer is a real
    ``keras.optimizers`` instance updating a ``tf.Variable`` of shape (2,)
    with ``apply_gradients``, in a compiled loop (the first race on a surface
    takes ~2 s to compile, later ones milliseconds). Adadelta's first steps
    are tiny (about sqrt(epsilon) times the learning rate, and Keras's default
    rate is 0.001), so it hardly moves in a short race: try
    ``learning_rate={"Adadelta": 1.0}``.

    >>> race = run_race("rosenbrock", ["SGD", "Adam"], learning_rate=0.01, steps=300)
    >>> race.stopped["SGD"], race.final_loss("Adam") < 5
    (2, True)
    """
    surface = _check_surface(surface)
    names = _check_optimizers(optimizers)
    rates = _learning_rates(learning_rate, surface, names)
    steps = _check_steps(steps, surface)
    start = _check_start(start, surface)
    paths, losses, stopped = {}, {}, {}
    for name in names:
        path, loss = runner(name, surface.name).run(start, rates[name])
        path, loss = path[:steps + 1], loss[:steps + 1]
        stop = _stop_step(surface, path, loss)
        stopped[name] = stop
        if stop is not None:
            path, loss = path[:stop + 1], loss[:stop + 1]
        paths[name], losses[name] = path, loss
    return OptimizerRace(surface, start, steps, rates, paths, losses, stopped)


def _truncate(race: OptimizerRace, steps: int) -> OptimizerRace:
    """The same race cut after ``steps`` steps (runs are deterministic, so it equals a shorter run)."""
    paths = {n: p[:steps + 1] for n, p in race.paths.items()}
    losses = {n: v[:steps + 1] for n, v in race.losses.items()}
    stopped = {n: (s if s is not None and s <= steps else None) for n, s in race.stopped.items()}
    return OptimizerRace(race.surface, race.start, steps, race.learning_rates, paths, losses, stopped)
