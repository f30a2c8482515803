"""Simulated workers: what workers do on the MTurk website, which no API call can express.

    worker = mturk.worker("A1B2C3D4E5F6G7", country="US", adult=True)   # or mturk.worker() for a new ID
    worker.request_qualification(type_id, answers={"sky": "blue"})      # qualifications and tests
    assignment = worker.accept(worker.search_hits()[0])                  # HITs
    assignment.submit({"label": "cat"})
    crowd = mturk.crowd(500, seed=7, return_rate=0.05)                 # many workers as the clock runs
    crowd.run(hours=2)

Every action runs through the model's domain rules under the world's lock, after settling time, as an
API call does. Anything a real worker could not do raises ``WorkerError`` (``WorkerActionRefused`` for
HIT actions) with the reason.
"""

from ..model.workers import WorkerActionRefused, WorkerError
from ..model.xml.hit_answers import FileUpload
from .behaviour import Choice, QualificationTest, Task, WorkerProfile
from .crowd import Crowd
from .crowd_work import CrowdSummary, CrowdWorker
from .hits import HITPreview, WorkingAssignment
from .qualifications import Answers, HeldQualification, RequestOutcome, TestAttempt
from .worker import SimulatedWorker, make_worker

__all__ = [
    "Answers",
    "Choice",
    "Crowd",
    "CrowdSummary",
    "CrowdWorker",
    "FileUpload",
    "HITPreview",
    "HeldQualification",
    "QualificationTest",
    "RequestOutcome",
    "SimulatedWorker",
    "Task",
    "TestAttempt",
    "WorkerActionRefused",
    "WorkerError",
    "WorkerProfile",
    "WorkingAssignment",
    "make_worker",
]
