import keras
import numpy as np
import pytest

from tfedu.metrics import KolmogorovSmirnov, ks_statistic

Y_TRUE = np.array([1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0])
Y_SCORE = np.array([.6, .1, .4, .5, .7, .7, .7, .4, .4, .5, .8, .3, .5, .3])


def brute_force_ks(y_true, y_score):
    best = 0.0
    for threshold in np.unique(y_score):
        predicted = y_score >= threshold
        tpr = np.mean(predicted[y_true == 1])
        fpr = np.mean(predicted[y_true == 0])
        best = max(best, abs(tpr - fpr))
    return best


def test_reference_equals_max_tpr_minus_fpr():
    assert ks_statistic(Y_TRUE, Y_SCORE) == pytest.approx(brute_force_ks(Y_TRUE, Y_SCORE)) == pytest.approx(0.625)
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    scores = rng.random(300)
    assert ks_statistic(labels, scores) == pytest.approx(brute_force_ks(labels, scores))


def test_metric_matches_the_reference_and_ignores_batching():
    metric = KolmogorovSmirnov()
    metric.update_state(Y_TRUE, Y_SCORE)
    assert float(metric.result()) == pytest.approx(0.625, abs=1e-6)
    metric.reset_state()
    for start in range(0, 14, 3):
        metric.update_state(Y_TRUE[start:start + 3], Y_SCORE[start:start + 3])
    assert float(metric.result()) == pytest.approx(0.625, abs=1e-6)


def test_binning_resolution_equals_rounded_scores():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 2000)
    scores = np.clip(rng.normal(0.4 + 0.2 * labels, 0.15), 0, 1)
    metric = KolmogorovSmirnov()
    metric.update_state(labels[:, None], scores[:, None])
    assert float(metric.result()) == pytest.approx(ks_statistic(labels, np.round(scores, 2)), abs=1e-5)
    assert abs(float(metric.result()) - ks_statistic(labels, scores)) < 0.02


def test_sample_weight_counts_like_repetition():
    weighted = KolmogorovSmirnov()
    weighted.update_state(Y_TRUE, Y_SCORE, sample_weight=np.where(Y_TRUE == 1, 2.0, 1.0))
    repeated = KolmogorovSmirnov()
    repeated.update_state(np.concatenate([Y_TRUE, Y_TRUE[Y_TRUE == 1]]),
                          np.concatenate([Y_SCORE, Y_SCORE[Y_TRUE == 1]]))
    assert float(weighted.result()) == pytest.approx(float(repeated.result()))


def test_perfect_and_useless_scores():
    metric = KolmogorovSmirnov()
    metric.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert float(metric.result()) == pytest.approx(1.0)
    metric.reset_state()
    metric.update_state([0, 1, 0, 1], [0.5, 0.5, 0.3, 0.3])
    assert float(metric.result()) == pytest.approx(0.0)


def test_config_and_saving_round_trip(tmp_path):
    metric = KolmogorovSmirnov(bins=50, name="ks50")
    clone = KolmogorovSmirnov.from_config(metric.get_config())
    assert (clone.bins, clone.name) == (50, "ks50")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=[KolmogorovSmirnov()])
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        reloaded.evaluate(x, y, verbose=0, return_dict=True))
    assert "ks" in reloaded.evaluate(x, y, verbose=0, return_dict=True)


def test_errors():
    with pytest.raises(ValueError, match="bins must be an int >= 1, got 0"):
        KolmogorovSmirnov(bins=0)
    with pytest.raises(ValueError, match="at least one positive and one negative"):
        ks_statistic([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="different sizes: 2 and 3"):
        ks_statistic([1, 0], [0.2, 0.3, 0.4])
