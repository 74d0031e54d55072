"""Word rarity: how common a prompt's words are in everyday English, read from wordfreq's shipped list."""

import json
import subprocess
import sys

from fleetdeck.services.router.features import features
from fleetdeck.services.router.rarity import UNLISTED_ZIPF, rarity_features, zipf_table

EVERYDAY = "Which of the following is a fruit that people often eat for breakfast?"
SPECIALIST = "Which of the following best describes epistasis in a dihybrid cross with heterozygous alleles?"


def test_the_list_reads_the_same_frequencies_wordfreq_itself_reports():
    import wordfreq

    table = zipf_table()
    assert len(table) > 20_000
    for word in ("the", "breakfast", "photosynthesis", "don't"):
        assert abs(table[word] - wordfreq.zipf_frequency(word, "en", wordlist="small")) < 0.011


def test_a_question_in_specialist_vocabulary_reads_rarer_than_an_everyday_one():
    everyday = rarity_features(EVERYDAY, [])
    specialist = rarity_features(SPECIALIST, [])
    assert specialist["rare_q_content_zipf"] < everyday["rare_q_content_zipf"]
    assert specialist["rare_q_unlisted"] > everyday["rare_q_unlisted"] == 0.0
    assert specialist["rare_q_zipf_min"] == UNLISTED_ZIPF


def test_choices_that_repeat_the_questions_rare_terms_are_told_apart_from_ones_that_bring_new_ones():
    stem = "In epistasis, what does the epistatic gene do?"
    repeats = rarity_features(stem, ["It is epistatic", "It is recessive", "It is linked", "It mutates"])
    new_terms = rarity_features(stem, ["pleiotropy", "penetrance", "heterosis", "codominance"])
    assert repeats["rare_c_in_question"] > new_terms["rare_c_in_question"] == 0.0
    assert new_terms["rare_c_zipf_mean"] < repeats["rare_c_zipf_mean"]


def test_a_task_without_choices_has_no_choice_rarity_measures():
    f = features("Summarize this article about the weather")
    assert "rare_q_zipf_mean" in f
    assert not any(k.startswith("rare_c_") for k in f)


def test_without_wordfreq_the_measures_are_left_out_and_the_router_still_scores():
    # A separate interpreter where the package cannot be found: the model then takes the measures as average.
    code = (
        "import sys, json; sys.modules['wordfreq'] = None\n"
        "from fleetdeck.services.router.features import features\n"
        "from fleetdeck.services.router.difficulty import routing_score\n"
        f"f = features({SPECIALIST!r})\n"
        f"print(json.dumps([any(k.startswith('rare_') for k in f), routing_score({SPECIALIST!r})]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    has_rarity, score = json.loads(out)
    assert not has_rarity
    assert 0.0 < score < 1.0
