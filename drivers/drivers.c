/*
 * Driver start-up: the PCI bus is enumerated and each driver claims the devices it knows, in a
 * fixed order (disks, then network cards) so that names (vda, eth0) are stable from boot to
 * boot. Also the boot-time options of the drivers on the kernel command line.
 */
#include "pci.h"
#include "virtio.h"
#include "netdev.h"
#include "blkdev.h"
#include "kernel.h"
#include "lib/cmdline.h"

static bool netcheck_requested;	/* "netcheck" on the command line; set once at boot */
static bool blkcheck_requested;	/* "blkcheck" */


/* drivers_init - see include/pci.h. */
void drivers_init(const char *cmdline)
{
	netcheck_requested = cmdline_has(cmdline, "netcheck");
	blkcheck_requested = cmdline_has(cmdline, "blkcheck");
	pci_init();
	virtio_blk_probe_all();
	virtio_net_probe_all();
}

/* netdev_selftest_requested - see include/netdev.h. */
bool netdev_selftest_requested(void)
{
	return netcheck_requested;
}

/* drivers_late_init - see include/pci.h. */
void drivers_late_init(void)
{
	if (netcheck_requested)
		netdev_selftest_start();
	if (blkcheck_requested)
		blkdev_selftest_start();
}
