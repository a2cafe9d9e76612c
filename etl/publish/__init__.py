"""Publishing: the gate every publishing path goes through, the release of warehouse + graph,
and the optional external triple store."""
