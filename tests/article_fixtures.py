"""Article paragraphs written for the hygiene and segmentation tests: a quay closure and a ferry
timetable, each long enough to read as reporting."""

QUAY = (
    "The harbour board voted on Tuesday to close the northern quay for repairs, a decision that "
    "will move about forty fishing boats to the southern basin until the end of the summer season.",
    "Board chair Mira Lenk said the quay's timber piles had rotted faster than engineers expected "
    "and that the work could not wait for another winter of storms along the exposed coast.",
    "Fishermen said the move would add an hour to every trip and asked the board to lower mooring "
    "fees in the southern basin while the repairs last, a request the board will consider next month.",
)

FERRY = (
    "The coastal ferry between Kessin and the islands will run two extra crossings each day from "
    "June, the operator announced on Wednesday, after a winter in which many sailings were full.",
    "The operator said the new crossings would leave at seven in the morning and at nine in the "
    "evening, and that fares would stay at last year's level until the end of the season.",
)
