"""Search indexes made after a site is written (Pagefind): used by the plugin and the CLI alike."""
