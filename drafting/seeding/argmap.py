"""An argument map at scale for benchmarks and the query-count tests: arguments written straight to the
tables with random unit vectors (no embedding: 5,000 texts would take half an hour of e5), grouped
``per_position`` to a position, with kept states, people and counts as the map keeps them."""
from __future__ import annotations

import json
import random

import numpy as np
from sqlalchemy import select

from amendments import positions as method
from amendments.models import (
    Argument,
    ArgumentPlacement,
    ArgumentSupporter,
    Position,
    PositionPerson,
    PositionSpace,
)
from amendments.services import argument_maps, participation, tallies
from amendments.services.arguments import fold
from amendments.services.positions import to_bytes
from drafting.db import Database, utcnow
from drafting.models import User

WORDS = ("transparence confiance données publiques contrôle fraude commission secret affaires communes moyens "
         "techniques chercheurs code source algorithmes impôt associations fonds usage liberté vie privée "
         "sécurité coût emploi innovation concurrence").split()


def seed_argument_map(db: Database, article_id: int, n: int, *, per_position: int = 10, seed: int = 0,
                      start: int = 0) -> None:
    """Add ``n`` arguments (numbered from ``start``) to the article's map, in positions of about
    ``per_position`` members each, every third one supported by an organization."""
    rng = random.Random(seed + start)
    vectors = np.random.default_rng(seed + start).standard_normal((n, method.embeddings.DIMENSIONS))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with db.session() as session:
        people = []
        for i in range(start, start + n):
            organization = i % 3 == 0
            people.append(User(username=f"carte-{i:05d}", display_name=f"Participant {i}",
                               kind="organization" if organization else "citizen",
                               organization_name=f"Association {i}" if organization else None,
                               declared_interests="Intérêts déclarés" if organization else None))
        session.add_all(people)
        session.flush()
        space_row = session.scalar(select(PositionSpace).where(PositionSpace.article_id == article_id))
        if space_row is None:
            space_row = PositionSpace(article_id=article_id, state="{}")
            session.add(space_row)
        space = method.Space.from_json(json.loads(space_row.state)) if space_row.state != "{}" else method.Space()
        bodies = [f"Argument {i:05d} : " + " ".join(rng.sample(WORDS, 8)) + "." for i in range(start, start + n)]
        stems = [method.terms(b, "fr") for b in bodies]
        for vector, stem_list in zip(vectors, stems):
            space = space.added(vector, stem_list)
        space_row.state, space_row.updated_at = json.dumps(space.to_json()), utcnow()
        supported: list[tuple[Position, int]] = []
        current: Position | None = None
        kept: method.PositionVector | None = None
        for index, (person, body, vector, stem_list) in enumerate(zip(people, bodies, vectors, stems)):
            stance = "for" if (start + index) // per_position % 2 else "against"
            argument = Argument(article_id=article_id, stance=stance, body=body, folded=fold(body),
                                author_id=person.id)
            session.add(argument)
            if current is None or current.stance != stance or current.arguments_count >= per_position:
                if current is not None:
                    current.state, current.updated_at = json.dumps(kept.to_json()), utcnow()
                current = Position(article_id=article_id, stance=stance, label=method.label(body), supporters=0,
                                   citizens=0, arguments_count=0, state="{}")
                session.add(current)
                session.flush()
                kept = None
            session.flush()
            if current.representative_id is None:
                current.representative_id = argument.id
            features = method.features(vector, stem_list, space)
            kept = method.PositionVector.opened(current.id, features) if kept is None else kept.joined(features)
            current.arguments_count += 1
            session.add(ArgumentPlacement(argument_id=argument.id, position_id=current.id, vector=to_bytes(vector),
                                          text_key=method.text_key(body), pinned=False))
            session.add(PositionPerson(position_id=current.id, user_id=person.id, weight=1))
            current.supporters += 1
            current.citizens += int(person.kind == "citizen")
            if index and index % 5 == 0:  # someone wrote the previous argument again: a supporter
                session.add(ArgumentSupporter(argument_id=argument.id, user_id=people[index - 1].id))
                supported.append((current, people[index - 1]))
        if current is not None:
            current.state, current.updated_at = json.dumps(kept.to_json()), utcnow()
        session.flush()
        for position, person in supported:  # a supporter joins the position's people once
            row = session.get(PositionPerson, (position.id, person.id))
            if row is None:
                session.add(PositionPerson(position_id=position.id, user_id=person.id, weight=1))
                position.supporters += 1
                position.citizens += int(person.kind == "citizen")
            else:
                row.weight += 1
        session.flush()
        argument_maps.refresh(session, participation.get_target(session, "article", article_id))
        tallies.rebuild(session)
