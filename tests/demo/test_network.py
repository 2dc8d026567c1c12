"""The demo's network switch: its own socket, not the card reader's, and `canteen-till net`."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.network import NetworkSwitch, SwitchError, switch_network, switch_socket_path
from drivers.cards.simulated import reader_socket_path
from sync.link import NoServer
from terminal.cli import main


class RecordingLink(NoServer):
    """A link that only remembers what the switch asked of it."""

    def __init__(self) -> None:
        self.online = True
        self.asked: list[bool] = []

    def is_online(self) -> bool:
        return self.online

    def set_online(self, online: bool) -> None:
        self.asked.append(online)
        self.online = online


@pytest.fixture
def link() -> RecordingLink:
    return RecordingLink()


@pytest.fixture
def switch(tmp_path: Path, link: RecordingLink) -> Iterator[NetworkSwitch]:
    running = NetworkSwitch(switch_socket_path(tmp_path), link)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_requests_reach_the_link_and_the_reply_comes_back(
    tmp_path: Path, link: RecordingLink
) -> None:
    """online/offline reach the link, its state comes back; other requests come back as ERR."""
    path = switch_socket_path(tmp_path)
    with pytest.raises(SwitchError, match="no demo is listening"):
        switch_network(path, "offline")
    switch = NetworkSwitch(path, link)
    switch.start()
    try:
        assert switch_network(path, "offline") == "network offline"
        assert link.is_online() is False
        assert switch_network(path, "state") == "network offline"
        with pytest.raises(SwitchError, match="unknown request 'fly'"):
            switch_network(path, "fly")
        assert switch_network(path, "online") == "network online"
    finally:
        switch.stop()
    assert link.asked == [False, True]
    assert not path.exists()


def test_the_switch_is_not_the_card_readers_socket(tmp_path: Path) -> None:
    """The demo's switch and the simulated reader listen on two different files."""
    assert switch_socket_path(tmp_path) != reader_socket_path(tmp_path)


def test_socket_file_is_private(switch: NetworkSwitch) -> None:
    """The socket file has mode 0600."""
    mode = os.stat(switch.path).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o600


def test_a_second_demo_on_the_same_data_is_refused(
    switch: NetworkSwitch, link: RecordingLink
) -> None:
    """A second switch on a live socket says another demo runs; the first keeps answering."""
    with pytest.raises(SwitchError, match="another demo is running"):
        NetworkSwitch(switch.path, link).start()
    assert switch_network(switch.path, "state") == "network online"


def test_a_stale_socket_file_is_replaced(tmp_path: Path, link: RecordingLink) -> None:
    """A socket file left by a demo that died is taken over."""
    path = switch_socket_path(tmp_path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))
    switch = NetworkSwitch(path, link)
    switch.start()
    try:
        assert switch_network(path, "offline") == "network offline"
    finally:
        switch.stop()


def test_a_file_in_the_way_is_named(tmp_path: Path, link: RecordingLink) -> None:
    """A regular file where the socket goes is left alone and named in the error."""
    path = switch_socket_path(tmp_path)
    path.write_text("mine")
    with pytest.raises(SwitchError, match="not a socket"):
        NetworkSwitch(path, link).start()
    assert path.read_text() == "mine"


def test_net_command_switches_the_running_demo(
    tmp_path: Path,
    switch: NetworkSwitch,
    link: RecordingLink,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`canteen-till net offline|online` (README) reaches the demo's switch."""
    assert main(["net", "offline", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "network offline\n"
    assert link.is_online() is False
    assert main(["net", "online", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "network online\n"
    assert link.asked == [False, True]


def test_net_command_without_a_demo_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No demo running: exit 1 and a message that says what to start."""
    assert main(["net", "offline", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "canteen-till net: no demo is listening" in err
    assert "make demo" in err
