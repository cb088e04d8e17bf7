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


# Thresholds, ROC and the confusion matrix ----------------------------------------------------------------

def _scores(n=300, seed=1):
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.4
    scores = np.round(rng.random(n) * 0.6 + labels * 0.3, 2)   # rounded: many tied scores
    return labels.astype(int), scores


def test_threshold_counts_match_keras_metrics():
    import keras

    from tfedu.metrics import threshold_counts

    labels, scores = _scores()
    for threshold in (0.2, 0.5, 0.75):
        counts = threshold_counts(labels, scores, threshold)
        keras_values = {}
        for name, metric in (("tp", keras.metrics.TruePositives(thresholds=threshold)),
                             ("fp", keras.metrics.FalsePositives(thresholds=threshold)),
                             ("fn", keras.metrics.FalseNegatives(thresholds=threshold)),
                             ("tn", keras.metrics.TrueNegatives(thresholds=threshold)),
                             ("precision", keras.metrics.Precision(thresholds=threshold)),
                             ("recall", keras.metrics.Recall(thresholds=threshold))):
            metric.update_state(labels, scores)
            keras_values[name] = float(metric.result())
        assert (counts.true_positives, counts.false_positives, counts.false_negatives, counts.true_negatives) == (
            keras_values["tp"], keras_values["fp"], keras_values["fn"], keras_values["tn"])
        assert counts.precision == pytest.approx(keras_values["precision"], abs=1e-6)
        assert counts.recall == pytest.approx(keras_values["recall"], abs=1e-6)
        assert counts.matrix.sum() == len(labels)


def test_roc_auc_is_the_mann_whitney_probability_and_keras_approaches_it():
    import keras

    from tfedu.metrics import roc_curve

    labels, scores = _scores()
    roc = roc_curve(labels, scores)
    positives, negatives = scores[labels == 1], scores[labels == 0]
    pairs = (positives[:, None] > negatives[None, :]).mean() + 0.5 * (positives[:, None] == negatives[None, :]).mean()
    assert roc.auc == pytest.approx(pairs, abs=1e-12)
    assert roc.false_positive_rate[0] == 0 and roc.true_positive_rate[-1] == 1 and roc.false_positive_rate[-1] == 1
    assert np.all(np.diff(roc.false_positive_rate) >= 0) and np.all(np.diff(roc.true_positive_rate) >= 0)
    auc = keras.metrics.AUC(num_thresholds=2001)
    auc.update_state(labels, scores)
    assert float(auc.result()) == pytest.approx(roc.auc, abs=2e-3)  # Keras interpolates over fixed thresholds


def test_threshold_drawing_and_explorer_move_together():
    from tfedu.metrics import draw_thresholds, threshold_explorer, threshold_counts

    labels, scores = _scores()
    drawing = draw_thresholds(labels, scores, threshold=0.4)
    assert len(drawing.figure.axes) == 3
    drawing.set_threshold(0.6)
    counts = threshold_counts(labels, scores, 0.6)
    assert drawing.counts == counts
    assert drawing.roc_point.get_xdata()[0] == counts.false_positive_rate
    assert drawing.matrix_texts[1][1].get_text() == f"TP\n{counts.true_positives}"
    explorer = threshold_explorer(labels, scores, threshold=0.4)
    before = explorer.image.value
    explorer.threshold.value = 0.6
    assert explorer.image.value != before and f"TP {counts.true_positives}," in str(explorer)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.threshold_counts([0, 1, 2], [0.1, 0.2, 0.3]), ValueError, "binary labels 0 and 1"),
    (lambda m: m.threshold_counts([1, 1], [0.1, 0.2]), ValueError, "need examples of both classes"),
    (lambda m: m.threshold_counts([0, 1], [0.1, 0.2, 0.3]), ValueError, "different sizes: 2 and 3"),
    (lambda m: m.roc_curve([0, 1], [0.1, float("nan")]), ValueError, "y_score"),
    (lambda m: m.threshold_counts([0, 1], [0.1, 0.9], threshold="half"), TypeError, "threshold"),
    (lambda m: m.threshold_explorer([0, 1], [0.1, 0.9], threshold=2.0), ValueError, "outside the scores"),
    (lambda m: m.threshold_explorer([0, 1]), TypeError, "needs both y_true and y_score"),
])
def test_threshold_functions_reject_bad_input(call, error, message):
    import tfedu.metrics

    with pytest.raises(error, match=message):
        call(tfedu.metrics)
