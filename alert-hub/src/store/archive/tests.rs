//! Archiving a store end to end: what moves, what stays, and that it reads back.
