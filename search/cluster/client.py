"""A thin typed wrapper over the official ``typesense`` client, with one-line errors.

Every node of the URL is given to the client, which goes on to the next node when one
does not answer. Connections time out after 2 s (a node that is down costs little);
an answer may take longer (an import of 1,000 documents takes seconds on a busy
cluster). Whatever goes wrong becomes a ``ClusterError`` that says what to do, never a
traceback: no node answers, the key is refused, no leader accepts writes, the collection
is not there. The key never appears in a message.

The ``typesense`` package is imported here, on first use, so jobsearch works without
it until a cluster URL is given.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypedDict
from urllib.parse import quote, urlencode

from search.cluster.url import ClusterURL, parse_url
from search.errors import (
    ClusterBusyError,
    ClusterError,
    ClusterIndexNotFoundError,
    FilterTooComplexError,
)

CONNECT_TIMEOUT = 2.0
#: How long a node that took the connection may take to say whether it is healthy.
HEALTH_TIMEOUT = 5.0
#: How long a search or a small request may take once connected.
READ_TIMEOUT = 15.0
#: How long a write (an import of one batch) may take once connected.
WRITE_TIMEOUT = 120.0
INSTALL_HINT = 'pip install -e ".[cluster]"'
#: How long a change of alias may take to reach every node before writers go on.
ALIAS_PATIENCE = 10.0
#: A document a search named that no node has yet: how long to ask again, and how often.
NAMED_PATIENCE = 15.0
NAMED_EVERY = 0.25
#: Longest search parameters sent in a URL (Typesense takes 4,000 characters).
LONGEST_QUERY = 3_000
#: What Typesense answers for a filter past its 100 operations (0.24, then later).
TOO_COMPLEX = ("Filter expression is not valid", "too many operations")
#: ``state`` of a node's /debug answer when it is the Raft leader (followers say 4).
LEADER_STATE = 1
NO_LEADER = "the cluster accepts no writes now (no leader): try again shortly"


class ImportResult(TypedDict, total=False):
    """One line of an import's answer: ``success``, and ``error`` when it failed."""

    success: bool
    error: str
    code: int
    document: str


def _typesense() -> ModuleType:
    try:
        import typesense
    except ImportError:
        raise ClusterError("the typesense client is not installed", hint=INSTALL_HINT) from None
    # Current clients warn about endpoints a v30 server drops (none is used here). Said
    # once for the process: ``catch_warnings`` around each client is not thread-safe.
    warnings.filterwarnings("ignore", message=".*deprecated on v30", category=DeprecationWarning)
    return typesense


def _server_message(exc: BaseException) -> str:
    """The server's own words of a client exception (its args are (status, message))."""
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    text = str(args[1]) if len(args) > 1 else str(exc)
    return " ".join(text.split())[:300] or type(exc).__name__


@dataclass(frozen=True, slots=True)
class NodeHealth:
    """What one node's /health said: None when it did not answer."""

    node: str
    ok: bool | None


class Cluster:
    """One connection to a cluster: collections, aliases, documents and searches.

    Reads go to any node (a follower may lag a write by a moment); writes are forwarded
    by any node to the leader.
    """

    def __init__(self, url: ClusterURL) -> None:
        typesense = _typesense()
        self.url = url
        self._typesense = typesense
        self._http: list[Any] = []
        self._read = self._client(READ_TIMEOUT)
        self._write = self._client(WRITE_TIMEOUT)

    def _client(self, read_timeout: float) -> Any:
        config: dict[str, Any] = {
            "api_key": self.url.key,
            "nodes": [
                {"host": host.strip("[]"), "port": str(port), "protocol": self.url.scheme}
                for host, port in self.url.nodes
            ],
            "connection_timeout_seconds": read_timeout,
            # Each node once, then once more: a single dead node never fails a request.
            "num_retries": len(self.url.nodes),
            "retry_interval_seconds": 0.2,
            "healthcheck_interval_seconds": 15,
        }
        with warnings.catch_warnings():
            # Current clients warn about endpoints a v30 server drops; none is used here.
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                import httpx
            except ImportError:  # an older client built on requests: one timeout for both
                return self._typesense.Client(config)
            transport = httpx.Client(timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT))
            try:
                client = self._typesense.Client(config, transport)
            except TypeError:  # a client that takes no HTTP client of its own
                transport.close()
                return self._typesense.Client(config)
        self._http.append(transport)
        return client

    @staticmethod
    def _coll(client: Any, name: str) -> Any:
        """The client's handle on one collection (made without the v30 warnings)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return client.collections[name]

    def close(self) -> None:
        for transport in self._http:
            transport.close()
        self._http.clear()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors -------------------------------------------------------------------------

    def health(self) -> list[NodeHealth]:
        """Every node's /health (which needs no key), asked directly: a node that takes
        no connection within 2 s is down (None); one that connects but does not answer
        ok within ``HEALTH_TIMEOUT`` is up without a leader, or too busy (False)."""
        out = []
        for (host, port), node in zip(self.url.nodes, self.url.node_urls(), strict=True):
            kind = (
                http.client.HTTPSConnection
                if self.url.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = kind(host.strip("[]"), port, timeout=CONNECT_TIMEOUT)
            try:
                conn.connect()
            except OSError:
                out.append(NodeHealth(node, None))
                conn.close()
                continue
            try:
                if conn.sock is not None:
                    conn.sock.settimeout(HEALTH_TIMEOUT)
                conn.request("GET", "/health")
                answer = conn.getresponse()
                out.append(NodeHealth(node, bool(json.loads(answer.read()).get("ok"))))
            except (OSError, ValueError, http.client.HTTPException, AttributeError):
                out.append(NodeHealth(node, False))
            finally:
                conn.close()
        return out

    def _nodes(self) -> str:
        return ", ".join(f"{host}:{port}" for host, port in self.url.nodes)

    def unreachable(self, write: bool, detail: str = "") -> ClusterError:
        """The error for a request no node served: why, from the nodes' health."""
        health = self.health()
        up = [h for h in health if h.ok is not None]
        if not up:
            return ClusterError(
                f"no node of the cluster answers ({self._nodes()})",
                hint="start the cluster, or check the hosts and ports in the URL",
            )
        # Raft commits a write only on a majority of the nodes; a node cut off from
        # the others may still call itself healthy for a while.
        majority = len(health) // 2 + 1
        if len(up) < majority:
            # Waiting cannot help until more nodes are started again. A node cut off
            # from the majority answers searches only until it notices it has no
            # leader (about 10 s with Typesense 0.24), then it answers "not ready".
            if write:
                why = f"the cluster accepts no writes: only {len(up)} of {len(health)} nodes "
                why += f"answer, and a write needs {majority}"
            else:
                why = f"the cluster cannot answer: only {len(up)} of {len(health)} nodes "
                why += "answer, and a node cut off from the others stops serving searches"
            return ClusterError(why, hint="start the nodes that are down")
        if not any(h.ok for h in up):
            if write:
                return ClusterBusyError(NO_LEADER)
            return ClusterError(
                f"the cluster has no leader now ({len(up)} of {len(health)} nodes answer): "
                "try again shortly"
            )
        failed = f"the cluster failed the request: {detail or 'no answer'}"
        # Nodes that still call themselves healthy just after the leader went away
        # forward a write to it in vain until they elect another.
        return ClusterBusyError(failed) if write else ClusterError(failed)

    @contextlib.contextmanager
    def errors(
        self, doing: str, *, write: bool = False, collection: str | None = None
    ) -> Iterator[None]:
        """Turn any failure of the client inside into a one-line ``ClusterError``;
        ``collection`` names what a 404 means is missing."""
        ts = self._typesense.exceptions
        try:
            yield
        except ClusterError:
            raise
        except (ts.RequestUnauthorized, ts.RequestForbidden):
            raise ClusterError(
                f"the cluster at {self._nodes()} refused the API key",
                hint="check the key in the URL",
            ) from None
        except ts.ObjectNotFound as exc:
            if collection is None:
                raise ClusterError(f"{doing}: {_server_message(exc)}") from None
            raise ClusterIndexNotFoundError(
                f"the cluster at {self._nodes()} has no collection or alias {collection!r}",
                hint="create it with a rebuild, or check the name in the URL",
            ) from None
        except (ts.ServerError, ts.ServiceUnavailable) as exc:
            raise self.unreachable(write, _server_message(exc)) from None
        except ts.TypesenseClientError as exc:
            name = type(exc).__name__
            if name in {"HTTPStatus0Error", "Timeout"} or "unhealthy" in str(exc):
                raise self.unreachable(write) from None
            raise _refused(doing, _server_message(exc)) from None
        except Exception as exc:
            # The transport's own errors (httpx or requests): no node could be reached.
            if _is_transport_error(exc):
                raise self.unreachable(write) from None
            raise

    # -- collections and aliases --------------------------------------------------------

    def resolve(self, alias: str) -> str | None:
        """The collection an alias points to; None when there is no such alias."""
        with self.errors("reading aliases"):
            aliases = self._read.aliases.retrieve().get("aliases", [])
        for entry in aliases:
            if entry.get("name") == alias:
                return str(entry["collection_name"])
        return None

    def collections(self) -> list[str]:
        with self.errors("listing collections"):
            return [str(c["name"]) for c in self._read.collections.retrieve()]

    def create_collection(self, schema: Mapping[str, Any]) -> None:
        with self.errors(f"creating collection {schema['name']!r}", write=True):
            self._write.collections.create(dict(schema))

    def drop_collection(self, name: str) -> None:
        with self.errors(f"dropping collection {name!r}", write=True, collection=name):
            self._coll(self._write, name).delete()

    def set_alias(self, alias: str, collection: str) -> None:
        """Point ``alias`` at ``collection`` (readers switch in one step)."""
        with self.errors(f"setting alias {alias!r}", write=True):
            self._write.aliases.upsert(alias, {"collection_name": collection})

    def drop_alias(self, alias: str) -> None:
        with self.errors(f"dropping alias {alias!r}", write=True, collection=alias):
            self._write.aliases[alias].delete()

    def num_documents(self, name: str) -> int:
        """How many documents the collection (or alias) holds, as one node sees it."""
        with self.errors("counting documents", collection=name):
            return int(self._coll(self._read, name).retrieve()["num_documents"])

    def node_counts(self, name: str) -> list[int | None]:
        """Each node's own count of the collection (None for a node that does not answer
        or lacks it): followers may lag the leader by a moment."""
        return [self.node_count(name, at) for at in range(len(self.url.nodes))]

    def node_count(self, name: str, at: int) -> int | None:
        """The count of the collection on the node at position ``at`` of the URL."""
        request = urllib.request.Request(
            f"{self.url.node_urls()[at]}/collections/{quote(name, safe='')}",
            headers={"X-TYPESENSE-API-KEY": self.url.key},
        )
        try:
            with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as answer:
                return int(json.load(answer)["num_documents"])
        except (OSError, ValueError, KeyError):
            return None

    def highest_on_each_node(self, name: str, field: str, query_by: str) -> list[int | None]:
        """Each node's own highest value of the numeric ``field`` in the collection (or
        alias): 0 when it holds no document, None for a node that does not answer."""
        params = urlencode(
            {
                "q": "*",
                "query_by": query_by,
                "sort_by": f"{field}:desc",
                "per_page": 1,
                "include_fields": field,
            }
        )
        path = f"/collections/{quote(name, safe='')}/documents/search?{params}"
        out: list[int | None] = []
        for node in self.url.node_urls():
            try:
                hits = self._get_json(node + path).get("hits") or []
                out.append(int(hits[0]["document"][field]) if hits else 0)
            except (OSError, ValueError, KeyError, TypeError, IndexError):
                out.append(None)
        return out

    def leader(self) -> int | None:
        """The position in the URL of the node that says it is the Raft leader (its
        /debug state); None when none that answers does."""
        for at, node in enumerate(self.url.node_urls()):
            try:
                if self._get_json(f"{node}/debug").get("state") == LEADER_STATE:
                    return at
            except (OSError, ValueError):
                continue
        return None

    def leader_count(self, name: str) -> int | None:
        """The leader's count of the collection (or alias): what every acknowledged
        write left, which a follower may not show yet. None when no node says it leads
        or the leader does not answer (or lacks the collection)."""
        at = self.leader()
        return None if at is None else self.node_count(name, at)

    def wait_alias(self, alias: str, collection: str, within: float = ALIAS_PATIENCE) -> None:
        """Wait until every node that answers names ``collection`` for ``alias`` (a
        follower applies the leader's change a moment later), at most ``within``
        seconds: a search right after a rebuild then finds the new collection on any
        node, and none still asks for the old one about to be dropped."""
        deadline = time.monotonic() + within
        waiting = list(self.url.node_urls())
        while waiting and time.monotonic() < deadline:
            left = []
            for node in waiting:
                try:
                    found = self._get_json(f"{node}/aliases/{quote(alias, safe='')}")
                except urllib.error.HTTPError:
                    left.append(node)  # the alias is not there yet
                    continue
                except (OSError, ValueError):
                    continue  # a node that does not answer is not waited for
                if found.get("collection_name") != collection:
                    left.append(node)
            waiting = left
            if waiting:
                time.sleep(0.05)

    def wait_replicated(self, name: str, within: float = ALIAS_PATIENCE) -> None:
        """Wait until every node that answers counts as many documents in ``name`` as
        the leader does (followers apply a write a moment after it is acknowledged), at
        most ``within`` seconds: a search right after ``jobsearch index`` then sees the
        postings on any node. Nothing is waited for when no node says it leads."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            target = self.leader_count(name)
            if target is None:
                return
            counts = [n for n in self.node_counts(name) if n is not None]
            if all(n == target for n in counts):
                return
            time.sleep(0.05)

    def _get_json(self, address: str) -> dict[str, Any]:
        request = urllib.request.Request(address, headers={"X-TYPESENSE-API-KEY": self.url.key})
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as answer:
            found = json.load(answer)
        return found if isinstance(found, dict) else {}

    # -- documents ----------------------------------------------------------------------

    def import_documents(
        self, name: str, documents: Sequence[Mapping[str, Any]], action: str = "upsert"
    ) -> list[ImportResult]:
        """Import one batch; one result per document, in order (failures included)."""
        if not documents:
            return []
        body = "\n".join(json.dumps(doc, ensure_ascii=False) for doc in documents)
        with self.errors(f"importing into {name!r}", write=True, collection=name):
            answer = self._coll(self._write, name).documents.import_(body, {"action": action})
        results: list[ImportResult] = []
        for line in str(answer).splitlines():
            if line.strip():
                results.append(json.loads(line))
        if len(results) != len(documents):
            raise ClusterError(
                f"the cluster answered {len(results)} results for {len(documents)} documents"
            )
        return results

    def delete_ids(self, name: str, ids: Sequence[str]) -> int:
        """Delete documents by id; how many were there."""
        plain = [i for i in ids if "`" not in i]
        deleted = 0
        with self.errors(f"deleting from {name!r}", write=True, collection=name):
            documents = self._coll(self._write, name).documents
            for start in range(0, len(plain), 250):
                chunk = plain[start : start + 250]
                quoted = ",".join(f"`{i}`" for i in chunk)
                deleted += int(documents.delete({"filter_by": f"id:[{quoted}]"})["num_deleted"])
            for odd in (i for i in ids if "`" in i):  # a filter value cannot hold a backtick
                with contextlib.suppress(self._typesense.exceptions.ObjectNotFound):
                    documents[quote(odd, safe="")].delete()
                    deleted += 1
        return deleted

    def get_document(self, name: str, doc_id: str, *, wait: float = 0.0) -> dict[str, Any] | None:
        """One document by id; None when no node that answers has it. The node first
        asked may be a follower a moment behind the leader (a search on another node
        just named the document, or a write was just acknowledged), so its "not found"
        is checked with every node before it is believed. ``wait`` is for a document a
        search has just named: every node is asked again until that many seconds have
        passed, because a node that has committed a write may apply it a moment later,
        and the nodes answer "not ready" while they elect a new leader (both seen when
        the leader that answered the search is killed at once after). When no node
        answers at all by then, the error says why (``unreachable``)."""
        ts = self._typesense.exceptions
        with self.errors("reading a document", collection=name):
            try:
                found: dict[str, Any] = (
                    self._coll(self._read, name).documents[quote(doc_id, safe="")].retrieve()
                )
            except ts.ObjectNotFound as exc:
                if "document" not in _server_message(exc).lower():
                    raise
                return self._document_on_any_node(name, doc_id, wait)
        return found

    def _document_on_any_node(
        self, name: str, doc_id: str, wait: float = 0.0
    ) -> dict[str, Any] | None:
        path = f"/collections/{quote(name, safe='')}/documents/{quote(doc_id, safe='')}"
        until = time.monotonic() + wait
        while True:
            answered = False  # a node said "not found" (404) this round
            for node in self.url.node_urls():
                try:
                    found = self._get_json(node + path)
                except urllib.error.HTTPError as exc:
                    answered = answered or exc.code == 404
                    continue
                except (OSError, ValueError):  # the node does not answer, or not ready
                    continue
                if found.get("id") == doc_id:
                    return found
                answered = True
            if time.monotonic() >= until:
                if wait and not answered:
                    raise self.unreachable(write=False)
                return None
            time.sleep(NAMED_EVERY)

    def export(self, name: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every document passing ``params`` (``filter_by``, ``include_fields``...)."""
        with self.errors("exporting documents", collection=name):
            text = self._coll(self._read, name).documents.export(dict(params or {}))
        return [json.loads(line) for line in str(text).splitlines() if line.strip()]

    def search(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One search; sent in a request's body when its parameters would pass the
        4,000 characters Typesense takes in a URL (a filter naming many places)."""
        if len(urlencode(params)) > LONGEST_QUERY:
            (answer,) = self.multi_search([dict(params, collection=name)])
            return answer
        with self.errors("the search", collection=name):
            result: dict[str, Any] = self._coll(self._read, name).documents.search(dict(params))
        return result

    def multi_search(
        self, searches: Sequence[Mapping[str, Any]], common: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Several searches in one request; one result per search. A search the server
        refused raises (Typesense answers its error inside the results)."""
        body = {"searches": [dict(s) for s in searches]}
        with self.errors("the searches"):
            answer = self._read.multi_search.perform(body, dict(common or {}))
        results: list[dict[str, Any]] = list(answer.get("results", []))
        for result in results:
            if "error" in result:
                raise _refused("the search", str(result["error"]))
        return results


def _refused(doing: str, said: str) -> ClusterError:
    """The error of a request the cluster refused, saying why."""
    if any(sign in said for sign in TOO_COMPLEX):
        return FilterTooComplexError(
            f"the cluster refused {doing}: its filter has more conditions than "
            "Typesense takes in one search (100)",
            hint="search with fewer words or filters",
        )
    return ClusterError(f"the cluster refused {doing}: {said}")


def _is_transport_error(exc: BaseException) -> bool:
    """An error of the HTTP layer (connection refused, reset, timed out)."""
    module = type(exc).__module__.split(".")[0]
    return module in {"httpx", "httpcore", "requests", "urllib3"} or isinstance(exc, OSError)


def connect(url: ClusterURL | str) -> Cluster:
    """A client for the cluster of ``url`` (nothing is asked of the cluster yet)."""
    return Cluster(url if isinstance(url, ClusterURL) else parse_url(url))
