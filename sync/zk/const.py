"""Command and reply codes of the ZKTeco terminal protocol (names follow the vendor manual)."""

from __future__ import annotations

import enum


class Cmd(enum.IntEnum):
    """Request and reply codes carried in the first header field."""

    USER_WRQ = 8
    USERTEMP_RRQ = 9
    OPTIONS_RRQ = 11
    OPTIONS_WRQ = 12
    ATTLOG_RRQ = 13
    CLEAR_DATA = 14
    CLEAR_ATTLOG = 15
    DELETE_USER = 18
    DELETE_USERTEMP = 19
    GET_FREE_SIZES = 50
    STARTVERIFY = 60
    STARTENROLL = 61
    CANCELCAPTURE = 62
    GET_PINWIDTH = 69
    GET_TIME = 201
    SET_TIME = 202
    REG_EVENT = 500
    CONNECT = 1000
    EXIT = 1001
    ENABLEDEVICE = 1002
    DISABLEDEVICE = 1003
    RESTART = 1004
    POWEROFF = 1005
    REFRESHDATA = 1013
    REFRESHOPTION = 1014
    TESTVOICE = 1017
    GET_VERSION = 1100
    AUTH = 1102
    PREPARE_DATA = 1500
    DATA = 1501
    FREE_DATA = 1502
    PREPARE_BUFFER = 1503
    READ_BUFFER = 1504
    ACK_OK = 2000
    ACK_ERROR = 2001
    ACK_DATA = 2002
    ACK_UNAUTH = 2005
    ACK_UNKNOWN = 0xFFFF


# Data-set selectors inside PREPARE_BUFFER (1503): (inner command, function code).
FCT_ATTLOG = 1
FCT_FINGERTMP = 2
FCT_USER = 5

EF_ATTLOG = 1  # REG_EVENT flag and realtime event code: a verified attendance

# Replies pyzk reads with one fixed-size recv; a bigger reply corrupts its next read.
MAX_OPTION_REPLY = 1024
UDP_MAX_DATA = 1024  # payload bytes per DATA datagram (UDP buffered and direct reads)
TCP_MAX_DATA = 0xFFC0  # payload bytes per DATA frame of a direct read over TCP: the chunk size TCP clients ask for
INLINE_MAX = 1016  # datasets up to this size are answered inline to PREPARE_BUFFER

# Device-side limits for request sizes: a terminal never receives more than this in one packet.
MAX_REQUEST_PAYLOAD = 64 * 1024
