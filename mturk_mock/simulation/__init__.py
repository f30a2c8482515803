"""Simulated workers: what workers do on the MTurk website, which no API call can express.

    worker = mturk.worker("A1B2C3D4E5F6G7", country="US", adult=True)   # or mturk.worker() for a new ID
    worker.request_qualification(type_id, answers={"sky": "blue"})      # qualifications and tests
    assignment = worker.accept(worker.search_hits()[0])                  # HITs
    assignment.submit({"label": "cat"})

Every action runs through the model's domain rules under the world's lock, after settling time, as an
API call does. Anything a real worker could not do raises ``WorkerError`` (``WorkerActionRefused`` for
HIT actions) with the reason.
"""

from ..model.workers import WorkerActionRefused, WorkerError
from ..model.xml.hit_answers import FileUpload
from .hits import HITPreview, WorkingAssignment
from .qualifications import Answers, HeldQualification, RequestOutcome, TestAttempt
from .worker import SimulatedWorker, make_worker

__all__ = [
    "Answers",
    "FileUpload",
    "HITPreview",
    "HeldQualification",
    "RequestOutcome",
    "SimulatedWorker",
    "TestAttempt",
    "WorkerActionRefused",
    "WorkerError",
    "WorkingAssignment",
    "make_worker",
]
