"""How fast tfedu's Playground trains and redraws, on this machine, in one run.

1. Training with drawing off: a 2-hidden-layer x 8-neuron tanh net on 500 spiral points, full-batch
   steps (batch size = the training set), ``Trainer.train(epochs)`` called with 50 epochs at a time,
   after one untimed warm-up call (the compile). Printed: epochs per second. Target: >= 200.
2. The live view: the widget's own play loop (its background thread: train, update the drawing,
   render the PNG) run for a few seconds. Printed: frames per second, the share of the time spent
   drawing and rendering, and epochs per second while drawing. Targets: >= 10 frames/s, drawing <= 25%.

    .venv/bin/python benchmarks/playground_speed.py [--seconds 5]

Run it on a quiet machine: nothing else should use the CPU while it measures.
"""
import argparse
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the live view runs")
    args = parser.parse_args()

    import tfedu

    tfedu.setup()
    from tfedu.playground import Trainer, playground_explorer

    config = {"dataset": "spiral", "n_samples": 500, "hidden": [8, 8], "activation": "tanh", "optimizer": "adam",
              "learning_rate": 0.01, "test_fraction": 0.5}
    trainer = Trainer({**config, "batch_size": 500})
    trainer.train(epochs=50)                      # compile once, untimed
    started, epochs = time.perf_counter(), 0
    while time.perf_counter() - started < 3.0:
        trainer.train(epochs=50)
        epochs += 50
    rate = epochs / (time.perf_counter() - started)
    print(f"training, drawing off: {rate:,.0f} epochs/s full-batch (target >= 200; {trainer.model.count_params()} "
          f"parameters, {len(trainer.train_points)} training points)")

    widget = playground_explorer({**config, "batch_size": 500}, epochs_per_step=5)
    widget.step()                                 # warm up the compiled step and the first layout
    spent = {"drawing": 0.0, "frames": 0}
    update, show = widget.drawing.update, widget._show

    def timed(function):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            function(*args, **kwargs)
            spent["drawing"] += time.perf_counter() - t0
        return run

    widget.drawing.update, widget._show = timed(update), timed(show)
    widget.image.observe(lambda change: spent.__setitem__("frames", spent["frames"] + 1), names="value")
    epoch, started = widget.trainer.epoch, time.perf_counter()
    widget.play()                                 # the real play loop, in its background thread
    time.sleep(args.seconds)
    widget.pause()
    total = time.perf_counter() - started
    print(f"live view (play): {spent['frames'] / total:.1f} frames/s (target >= 10), drawing "
          f"{spent['drawing'] / total:.0%} of the time (target <= 25%), "
          f"{(widget.trainer.epoch - epoch) / total:,.0f} epochs/s while drawing")
    widget.close()


if __name__ == "__main__":
    main()
