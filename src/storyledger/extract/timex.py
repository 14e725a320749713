def tag_time_expressions(text, anchor, *, doc=None):
    return []
