from knowledge.keyword_query import KeywordQuery, keyword_query


def test_function_words_are_dropped_and_content_words_kept():
    assert keyword_query("How do I turn off the TV's Auto Power Off?") == "turn off TV Auto Power Off"


def test_a_question_of_only_function_words_is_kept_as_it_is():
    assert keyword_query("How do I?") == "How do I?"


def test_component_outputs_the_keyword_query_and_the_question_word_pairs():
    assert KeywordQuery().run(text="How do I get a refund?") == {"query": "get refund", "phrases": ["do get", "get refund"]}
