"""Named exceptions. Each carries a one-line message the CLI prints as is."""


class SsbraceError(Exception):
    """Base of every error ssbrace reports to a user in one line."""

    exit_code = 1


class UsageError(SsbraceError):
    """The command line or a setting is wrong."""

    exit_code = 2


class InputError(SsbraceError):
    """An input (file, page, feed, text) cannot be used."""


class FetchError(InputError):
    """A URL could not be fetched: network, status, size, type."""


class BlockedAddressError(FetchError):
    """A URL resolves to a private, loopback, link-local or reserved address."""


class DomainPackError(SsbraceError):
    """A domain pack is missing or does not validate."""


class StoreError(SsbraceError):
    """The knowledge store cannot be opened or migrated."""


class DeliveryError(SsbraceError):
    """An email or feed could not be delivered."""


class PartialFailure(InputError):
    """Some inputs of a batch failed; the others were handled and stored."""
